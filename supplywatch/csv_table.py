"""Reading the small hand-edited reference tables in data/ (the substance dictionary, method sensitivity).

People edit these files by hand, so a bad one must be refused with one line naming the file, the line and,
when it is about one cell, the column; never a traceback and never a row skipped silently.
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")


def cell_error(error: type[Exception], path: Path, line: int, column: str | None, msg: str) -> Exception:
    """``error('<file> line <n>[, column <c>]: msg')``."""
    where = f"{path.name} line {line}" + (f", column {column}" if column else "")
    return error(f"{where}: {msg}")


def rows(path: Path, columns: tuple[str, ...], required: tuple[str, ...], what: str, error: type[Exception],
         quote_hint: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, {column: raw cell}) for each non-blank row of the UTF-8 CSV ``path`` (BOM allowed).

    Header names are matched case-insensitively and may come in any order; ``columns`` are the ones read,
    ``required`` the ones that must be there; other columns are ignored. Raises ``error`` for a missing file,
    bytes that are not UTF-8, a missing column, or a row whose field count differs from the header's
    (``quote_hint`` says what to quote).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path.name}: not UTF-8 (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise cell_error(error, path, 1, None, f"missing column(s) {', '.join(missing)}; expected {','.join(columns)}")
    col = {name: header.index(name) for name in columns if name in header}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise cell_error(error, path, line, None, f"{len(row)} fields, expected {len(header)} ({quote_hint})")
        yield line, {name: row[i] for name, i in col.items()}


@functools.lru_cache(maxsize=16)
def _parsed(parse: Callable, path: Path, mtime_ns: int, size: int):
    return parse(path)


def load(path: str | Path | None, default: Path, parse: Callable[[Path], T], error: type[Exception],
         what: str) -> T:
    """``parse(path)`` (``default`` when None), kept until the file changes (keyed by its mtime and size)."""
    p = Path(path) if path else default
    try:
        st = p.stat()
    except FileNotFoundError:
        raise error(f"{p}: {what} not found") from None
    return _parsed(parse, p.resolve(), st.st_mtime_ns, st.st_size)
