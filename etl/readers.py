"""Open a CSV the way users bring it: check bytes and encoding, read the header, hand DuckDB a clean UTF-8 file.

Whole-file problems raise :class:`FileRefused` with one line naming the file; nothing here reads rows into Python
(DuckDB does that), except :func:`record_lines`, which maps record numbers to physical lines for the few rows that
are rejected.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAX_LINE_BYTES = 1024 * 1024
CHUNK = 4 * 1024 * 1024
CHUNK_BLOCK = 256 * 1024
DELIMITERS = [",", ";", "\t", "|"]

_LONG_LINE = re.compile(rb"[^\n]{%d}" % (MAX_LINE_BYTES + 1))
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_BARE_CR = re.compile(rb"\r(?!\n)")
MAX_QUOTED_BYTES = MAX_LINE_BYTES  # a quoted field (which may span lines) longer than this is an unclosed quote


class FileRefused(Exception):
    """A whole-file problem; ``str()`` is the one line shown to the user."""


@dataclass
class CsvFile:
    """A checked CSV: where DuckDB should read it (UTF-8), its header and facts about the original bytes."""

    path: Path                 # the file the user named
    read_path: Path            # UTF-8 file for DuckDB (the original, or a converted temporary copy)
    content_hash: str          # sha256 of the original bytes
    encoding: str              # utf-8 | utf-8-sig | cp1252 | latin-1
    delimiter: str
    header: list[str]
    physical_lines: int        # newline count (+1 if the last line has no newline)
    temporary: bool = False
    size: int = 0

    def cleanup(self) -> None:
        """Remove the converted copy, if one was made."""
        if self.temporary:
            try:
                os.unlink(self.read_path)
            except FileNotFoundError:
                pass


def _refuse(path: Path, why: str) -> FileRefused:
    return FileRefused(f"{path.name}: {why}")


def sniff_bytes(path: Path, head: bytes) -> None:
    """Refuse spreadsheets, archives, UTF-16 and binary files from their first bytes."""
    if head.startswith(b"PK\x03\x04"):
        raise _refuse(path, "this is a zip archive or an .xlsx spreadsheet, not CSV; save it as CSV (UTF-8) and load that")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(path, "this is an .xls spreadsheet, not CSV; save it as CSV (UTF-8) and load that")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(path, "UTF-16 text is not supported; save it as CSV UTF-8 and load that")
    if b"\x00" in head:
        raise _refuse(path, "binary file (it contains NUL bytes), not CSV text")
    if head.startswith(b"%PDF"):
        raise _refuse(path, "this is a PDF, not CSV")
    controls = len(_CONTROL.findall(head))
    if controls > max(2, len(head) // 1000):
        raise _refuse(path, "binary file (it contains control characters), not CSV text")


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes; a missing file or a folder is refused in one line."""
    path = Path(path)
    if not path.exists():
        raise FileRefused(f"{path.name}: no such file")
    if path.is_dir():
        raise FileRefused(f"{path.name}: is a folder, not a CSV file")
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _has_long_line(carry: bytes, chunk: bytes) -> bool:
    """Cheap test that may say True for a line over 1 MB: some 256 KB block of the chunk has no newline."""
    if len(carry) > MAX_LINE_BYTES - CHUNK_BLOCK:
        return True
    return any(b"\n" not in chunk[i:i + CHUNK_BLOCK] for i in range(0, len(chunk), CHUNK_BLOCK)
               if len(chunk) - i >= CHUNK_BLOCK or not chunk.endswith(b"\n"))


def scan(path: Path) -> tuple[str, int, int]:
    """One pass over the bytes: encoding (utf-8 / utf-8-sig / cp1252 / latin-1), line count, size.

    Refuses NUL bytes anywhere and any line over 1 MB, naming the line number.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    cp1252_ok = True
    lines = 0
    size = 0
    carry = b""          # bytes since the last newline, for the long-line check
    last = b""
    quotes = _QuoteWatch(path)
    with open(path, "rb") as fh:
        first = True
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            if first:
                sniff_bytes(path, chunk[:65536])
                first = False
            size += len(chunk)
            if b"\x00" in chunk:
                raise _refuse(path, "binary file (it contains NUL bytes), not CSV text")
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            if not is_utf8 and cp1252_ok:
                cp1252_ok = not re.search(rb"[\x81\x8d\x8f\x90\x9d]", chunk)
            if _has_long_line(carry, chunk):  # rare: only then the exact (slow) regex check
                probe = carry + chunk
                m = _LONG_LINE.search(probe)
                if m:
                    line_no = lines + probe[: m.start()].count(b"\n") + 1
                    raise _refuse(path, f"line {line_no} is longer than 1 MB; this is not a CSV this loader accepts")
            _refuse_bare_cr(path, chunk, last, lines)
            quotes.feed(chunk, size - len(chunk), lines)
            lines += chunk.count(b"\n")
            cut = chunk.rfind(b"\n")
            carry = chunk[cut + 1:] if cut >= 0 else carry + chunk
            last = chunk[-1:]
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if size == 0:
        raise _refuse(path, "the file is empty")
    if last == b"\r":
        raise _bare_cr(path, lines + 1)
    if last != b"\n":
        lines += 1
    if is_utf8:
        with open(path, "rb") as fh:
            bom = fh.read(3) == codecs.BOM_UTF8
        encoding = "utf-8-sig" if bom else "utf-8"
    else:
        encoding = "cp1252" if cp1252_ok else "latin-1"
    return encoding, lines, size


def _bare_cr(path: Path, line_no: int) -> FileRefused:
    return _refuse(path, f"line {line_no}: a carriage return (CR) without a line feed; save the file as CSV with"
                         " LF or CRLF line endings (and no CR inside a cell)")


def _refuse_bare_cr(path: Path, chunk: bytes, previous_last: bytes, lines_before: int) -> None:
    """A CR not followed by LF (old Mac line ends, or a CR inside a cell): DuckDB cannot read past it."""
    if previous_last == b"\r" and not chunk.startswith(b"\n"):
        raise _bare_cr(path, lines_before)
    m = _BARE_CR.search(chunk)
    if m and m.start() < len(chunk) - 1:  # a CR ending the chunk is decided by the next chunk's first byte
        raise _bare_cr(path, lines_before + chunk.count(b"\n", 0, m.start()) + 1)


def mixed_line_end(path: Path) -> int | None:
    """The first line (1-based) whose end (LF or CR LF, outside quotes) differs from the header's, or None.

    DuckDB reads one kind of line end per file and stops with a parser error when a file mixes them (files
    joined from two systems); this names the line. Only called once the file is being refused: it reads the
    whole file line by line.
    """
    first_crlf = None
    inside = False
    try:
        fh = open(path, "rb")
    except OSError:  # gone or unreadable: the caller keeps DuckDB's own first sentence
        return None
    with fh:
        for line_no, raw in enumerate(fh, start=1):
            if raw.count(b'"') % 2:
                inside = not inside
            if inside or not raw.endswith(b"\n"):
                continue
            crlf = raw.endswith(b"\r\n")
            if first_crlf is None:
                first_crlf = crlf
            elif crlf != first_crlf:
                return line_no
    return None


class _QuoteWatch:
    """Finds a quoted field still open more than 1 MB after its opening quote (a missing closing quote).

    Quotes pair up in order (a doubled "" inside a field is a pair too), so while the count so far is odd the
    last quote seen opened a field that has not ended. Checked once per chunk: a count and, when odd, one rfind.
    """

    def __init__(self, path: Path):
        self.path = path
        self.open = False
        self.offset = 0      # byte offset of the opening quote
        self.line = 0        # its physical line

    def feed(self, chunk: bytes, chunk_offset: int, lines_before: int) -> None:
        n = chunk.count(b'"')
        if n % 2:
            self.open = not self.open
        if n and self.open:
            pos = chunk.rfind(b'"')
            self.offset = chunk_offset + pos
            self.line = lines_before + chunk.count(b"\n", 0, pos) + 1
        if self.open and chunk_offset + len(chunk) - self.offset > MAX_QUOTED_BYTES:
            raise _refuse(self.path, f"line {self.line}: a quoted field starts here and is still open 1 MB later"
                                     " (a missing closing quote?); nothing loaded")


def to_utf8(path: Path, encoding: str, scratch: Path | None = None) -> Path:
    """Write a UTF-8 copy of a cp1252/latin-1 (or BOM-prefixed) file to a temporary file and return its path.

    ``scratch`` is a path prefix for that file (the loader passes ``<warehouse folder>/.<warehouse>.<pid>.`` so
    the copy stays beside the warehouse and a killed load's copy is cleaned up; default: the system temp folder)."""
    folder, prefix = (scratch.parent, scratch.name) if scratch else (None, "supplywatch-")
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".csv", dir=folder)
    with open(path, "r", encoding=encoding, newline="") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
        while True:
            text = src.read(CHUNK)
            if not text:
                break
            dst.write(text)
    return Path(tmp)


def first_line(path: Path, encoding: str) -> str:
    """The first physical line, decoded, without its line ending or BOM."""
    with open(path, "r", encoding=encoding, newline="") as fh:
        line = fh.readline(MAX_LINE_BYTES + 1)
    return line.lstrip("\ufeff").rstrip("\r\n")


def sniff_delimiter(line: str) -> str:
    """The delimiter among , ; tab | that occurs most in the header line outside quotes (comma on a tie)."""
    outside = re.sub(r'"[^"]*"', "", line)
    best = max(DELIMITERS, key=lambda d: (outside.count(d), d == ","))
    return best


def parse_header(path: Path, line: str, delimiter: str) -> list[str]:
    """Split the header line into trimmed column names; refuse blank or duplicate names."""
    try:
        names = next(csv.reader([line], delimiter=delimiter, quotechar='"', strict=True))
    except (csv.Error, StopIteration) as exc:
        raise _refuse(path, f"line 1: the header cannot be read as CSV ({exc})") from None
    names = [n.strip() for n in names]
    if not any(names):
        raise _refuse(path, "line 1: the header is blank; the first line must name the columns")
    seen: set[str] = set()
    for i, n in enumerate(names, start=1):
        if n == "":
            if i == len(names):  # a trailing delimiter: allow one unnamed last column
                continue
            raise _refuse(path, f"line 1, column {i}: a column has no name")
        if n.lower() in seen:
            raise _refuse(path, f"line 1: column '{n}' appears twice in the header")
        seen.add(n.lower())
    return names


def open_csv(path: str | os.PathLike, delimiter: str | None = None, content_hash: str | None = None,
             scratch: Path | None = None) -> CsvFile:
    """Check a file and return a :class:`CsvFile` ready for DuckDB, or raise :class:`FileRefused`.

    ``scratch``: where a converted copy goes (see :func:`to_utf8`)."""
    path = Path(path)
    content_hash = content_hash or file_hash(path)
    encoding, lines, size = scan(path)
    line = first_line(path, encoding)
    if line.strip() == "":
        raise _refuse(path, "line 1 is blank; the first line must name the columns")
    delim = delimiter or sniff_delimiter(line)
    header = parse_header(path, line, delim)
    read_path, temporary = path, False
    if encoding not in ("utf-8", "utf-8-sig"):
        read_path, temporary = to_utf8(path, encoding, scratch), True
    result = CsvFile(path, read_path, content_hash, encoding, delim, header, lines, temporary, size)
    if not _has_data_after_header(read_path):
        result.cleanup()
        raise _refuse(path, "the file has a header but no data rows")
    return result


def _has_data_after_header(path: Path) -> bool:
    with open(path, "r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            next(reader)
        except (StopIteration, csv.Error):
            return False
        for _ in range(1000):
            try:
                row = next(reader)
            except StopIteration:
                return False
            except csv.Error:
                return True  # something is there; DuckDB will say what is wrong with it
            if any(cell.strip() for cell in row):
                return True
        return True


def record_lines(path: Path, delimiter: str, records: set[int]) -> dict[int, tuple[int, str]]:
    """Map 1-based data record numbers to (first physical line, raw text) for the records asked for.

    DuckDB numbers rows by record, not by line; a quoted field may hold newlines, so the physical line is
    found by reading up to the last record asked for. Reads the UTF-8 copy DuckDB read.
    """
    if not records:
        return {}
    wanted = set(records)
    last = max(wanted)
    out: dict[int, tuple[int, str]] = {}
    with open(path, "r", encoding="utf-8-sig", newline="") as fh:
        text_lines: list[str] = []
        reader = csv.reader(_Tee(fh, text_lines), delimiter=delimiter, quotechar='"')
        line_no = 0
        try:
            next(reader)
        except (StopIteration, csv.Error):
            return out
        line_no = reader.line_num
        rec = 0
        while rec < last:
            text_lines.clear()
            start = line_no + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                row = None
            line_no = reader.line_num
            rec += 1  # a blank line counts as a record, as DuckDB counts it (it returns no row for it)
            if rec in wanted:
                out[rec] = (start, "".join(text_lines).rstrip("\r\n"))
    return out


class _Tee:
    """Iterator over a text file that also keeps the raw lines the csv reader consumed."""

    def __init__(self, fh: io.TextIOBase, sink: list[str]):
        self.fh, self.sink = fh, sink

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.fh.readline()
        if not line:
            raise StopIteration
        self.sink.append(line)
        return line
