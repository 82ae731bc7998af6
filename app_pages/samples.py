"""Samples: a searchable table of public fields only, one sample by id, and CSV/Parquet downloads of the filter."""

import streamlit as st

from supplywatch import sample_table, views

ctx = views.start_page("Samples")
_ = ctx._

# What was found comes first: at 1366 px (or on a phone) the last columns of 18 are off-screen.
COLUMNS = {
    "ftir_found": _("FTIR found"), "lab_found": _("Lab found"), "expected_raw": _("Sold as"),
    "fentanyl_pct": _("Fentanyl %"), "sample_id": _("Sample id"), "collected_date": _("Date"), "region": _("Region"),
    "site": _("Site"), "sample_type": _("Sample type"), "form": _("Form"), "colour": _("Colour"),
    "fentanyl_strip": _("Fentanyl strip"), "benzo_strip": _("Benzo strip"), "xylazine_strip": _("Xylazine strip"),
    "nitazene_strip": _("Nitazene strip"), "medetomidine_strip": _("Medetomidine strip"),
    "ftir_tested": _("FTIR tested"), "lab_tested": _("Lab tested"),
}

lookup = st.text_input(_("Look up one sample by id"), key="smp_id", max_chars=100).strip()
if lookup:
    one = views.query("sample", ctx.f.without_dates(), sample_id=lookup)
    if one.empty:
        st.warning(_("No sample with id {id}.").format(id=lookup))
    else:
        # The person who brought the sample knows when, where and what it was sold as: the public lookup leaves
        # those out, so that looking up many ids cannot rebuild the counts the other pages hide.
        views.table(one, COLUMNS if ctx.staff else sample_table.without_place_and_date(COLUMNS), ctx)

if not ctx.staff:
    # A list of samples lets anyone count any group, however small, exactly: no suppression survives it.
    st.info(_("The list of individual samples and its downloads are for signed-in staff: counting rows in a list "
              "would give away the small numbers the other pages hide. The other pages show the same results as "
              "counts."))
    st.stop()

search = st.text_input(_("Search (id, sold as, or a substance found)"), key="smp_search", max_chars=100).strip()
total = views.query("sample_count", ctx.f)
rows = views.query("samples", ctx.f, search=search or None, limit=500)
st.caption(
    _("{shown} newest of {total} samples under these filters.").format(
        shown=ctx.number(len(rows)), total=ctx.number(total)
    )
)
views.table(rows, COLUMNS, ctx)
st.caption(_("Free-text notes are never shown or exported."))

if total > sample_table.EXPORT_LIMIT:
    st.info(_("Narrow the filters to {limit} samples or fewer to download.").format(
        limit=ctx.number(sample_table.EXPORT_LIMIT)))
elif st.toggle(_("Prepare downloads of all {total} samples under these filters").format(total=ctx.number(total)),
               key="smp_export"):
    # Not cached: an export can be 200,000 rows, and the shared cache is for small aggregates.
    export = sample_table.samples(views.cursor(), ctx.f, search=search or None, limit=sample_table.EXPORT_LIMIT)
    c1, c2 = st.columns(2)
    c1.download_button(_("Download CSV"), sample_table.to_csv(export), "supplywatch-samples.csv", "text/csv",
                       key="smp_csv")
    c2.download_button(_("Download Parquet"), sample_table.to_parquet(export), "supplywatch-samples.parquet",
                       "application/vnd.apache.parquet", key="smp_parquet")
