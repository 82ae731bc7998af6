"""The findings fold: the new samples of a piece written with their findings folded from their detections.

A sample row carries what FTIR and lab found in it (``supplywatch.findings``: the active classes and substances
found, whether what was expected was found, whether something unexpected was), folded from the detections the
same piece has just written, so Expected vs found reads one row per sample. The fold reads only the
piece's sample numbers (``first`` to ``final``), so its ``GROUP BY`` never spans the whole file.
"""

from __future__ import annotations

from supplywatch import findings


def insert_samples(con, run_id: int, first: int, final: int) -> None:
    """Insert the new samples in temp table ``ns`` (sample numbers ``first``..``final``) with their findings."""
    folded = ", ".join(f"coalesce(f.{c}, {v})" for c, v in zip(findings.COLUMNS, findings.NOTHING_FOUND))
    con.execute(f"""
        INSERT INTO samples
        SELECT sample_id, source, collected_date, site, region, expected_raw, expected_substance, expected_class,
               sample_type, form, colour, fentanyl_strip, benzo_strip, xylazine_strip,
               nitazene_strip, medetomidine_strip, ftir_tested, lab_tested, fentanyl_pct,
               overdose_linked, notes, {run_id}, sample_no, {folded}
        FROM ns LEFT JOIN ({findings.fold_sql(f"d.sample_no >= {first} AND d.sample_no <= {final}")}) f
             USING (sample_no)
    """)
