"""bench/scale.py's tables: the 10M/1M ratios per backend against hand-computed values, a failed step kept as a
row, and two workers vs one."""

from __future__ import annotations

from bench import scale

PAGES = {p: [1.0, 0.1] for p in scale.SUPPLY_PAGES}


def _row(backend: str, n: int, load_s: float, cold: float, **extra) -> dict:
    return {"backend": backend, "n": n, "file_mb": n / 7_000, "bare_s": load_s / 10, "bare_mb": 200.0,
            "load_s": load_s, "load_mb": 900.0, "store_mb": n / 14_000,
            "pages": {p: [cold, 0.05] for p in scale.SUPPLY_PAGES}, **extra}


def test_ratio_rows_per_backend_say_whether_the_page_goal_is_met():
    rows = [_row("file", 1_000_000, 30.0, 0.5), _row("file", 10_000_000, 330.0, 1.4),
            _row("lake", 1_000_000, 40.0, 0.5), _row("lake", 10_000_000, 400.0, 2.1)]
    lines = scale._table(rows, ["file", "lake"]).splitlines()
    assert lines[2].startswith("| file | 1,000,000 | 143 MB | 3.0 s, 200 MB | 30.0 s | 10.0x | 900 MB | 71 MB |"
                               " 0.50 / 0.050 s |")
    # 1.4 s is under 2 s and 2.8x of 0.5 s: met; 2.1 s is over 2 s: missed though 4.2x is the only other test
    assert lines[6] == ("| file | 10M / 1M |  |  | 11.0x |  | 1.0x | 10.0x | "
                        + " | ".join(["2.8x cold (met)"] * 6) + " |")
    assert lines[7] == ("| lake | 10M / 1M |  |  | 10.0x |  | 1.0x | 10.0x | "
                        + " | ".join(["4.2x cold (MISSED)"] * 6) + " |")


def test_a_failed_step_is_a_row_and_no_ratio_is_made_from_it():
    rows = [_row("lake", 1_000_000, 40.0, 0.5),
            {"backend": "lake", "n": 10_000_000, "error": "load failed (exit 1): out of memory"}]
    lines = scale._table(rows, ["lake"]).splitlines()
    assert lines[3] == "| lake | 10,000,000 | load failed (exit 1): out of memory |" + " |" * 11
    assert len(lines) == 4
    assert all(line.count("|") == lines[0].count("|") for line in lines)


def test_two_workers_table():
    table = scale._workers_table({"n": 1_000_000, "serial": [100.0, 150.0], "serial_mb": 980.0,
                                  "parallel": [120.0, 260.0], "parallel_mb": 1900.0, "together": 262.0})
    assert table.splitlines()[2:] == [
        "| one worker, one file after the other | 250.0 s | 100.0 s + 150.0 s | 8,000 | 980 MB |",
        "| two workers at once | 262.0 s | 120.0 s and 260.0 s | 7,634 | 1900 MB (both) |",
        "| two / one | 1.05x wall | | 0.95x | |",
    ]
