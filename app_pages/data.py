"""Data: load history, rejected rows and reasons, unknown substances, the data dictionary and methods."""

from pathlib import Path

import streamlit as st

from supplywatch import doc_text, local_time, metrics, views

ctx = views.start_page("Data")
_ = ctx._
DOCS = Path(__file__).resolve().parent.parent / "docs"

loads, rejects, unknown, dictionary, methods = st.tabs(
    [_("Load history"), _("Rejected rows"), _("Unknown substances"), _("Data dictionary"), _("Methods")]
)

STATUS = {"loaded": _("loaded"), "refused": _("refused (nothing stored)"), "unchanged": _("unchanged")}


def with_status(df):
    """The run status in the reader's language."""
    return df.assign(status=[STATUS.get(s, s) for s in df["status"]]) if "status" in df else df


with loads:
    history = with_status(views.query("load_history", ctx.f))
    history = history.assign(**{c: local_time.format_column(history[c], ctx.lang)  # the deployment's zone
                                for c in ("started_at", "finished_at") if c in history})
    views.table(
        history,
        {"run_id": _("Run"), "file_name": _("File"), "kind": _("Kind"), "profile": _("Layout"), "started_at": _("Started"),
         "finished_at": _("Finished"), "rows_read": _("Rows read"), "rows_loaded": _("Rows loaded"),
         "rows_duplicate": _("Duplicates"), "rows_rejected": _("Rejected"), "status": _("Status"),
         "message": _("Message")},
        ctx,
        caption=_("Each load adds a snapshot; the newest is what every page shows."),
    )

with rejects:
    reasons = with_status(views.query("reject_reasons", ctx.f))
    totals = views.query("reject_summary", ctx.f)
    st.caption(_("{n} rows were rejected in loaded files; each is listed with its run, file, line and reason."
                 ).format(n=ctx.number(totals["rejected_in_loaded"])))
    if totals["refused_runs"]:
        st.caption(_("{runs} refused runs stored nothing; their {n} rejected or conflicting rows are counted apart."
                     ).format(runs=ctx.number(totals["refused_runs"]), n=ctx.number(totals["rows_in_refused"])))
    views.table(reasons, {"run_id": _("Run"), "status": _("Status"), "file_name": _("File"), "reason": _("Reason"),
                          "n": _("Rows"), "first_line": _("First line")}, ctx)
    with st.expander(_("Rejected rows")):
        views.table(with_status(views.query("reject_rows", ctx.f)),
                    {"run_id": _("Run"), "status": _("Status"), "file_name": _("File"), "line": _("Line"),
                     "column": _("Column"), "reason": _("Reason")}, ctx)

with unknown:
    names = views.query("unknown_substances", ctx.f)
    st.caption(_("Names the substance dictionary does not know yet. They are kept as written and counted as "
                 "'unknown name' until someone adds them to data/substances.csv."))
    views.table(names, {"name": _("Name as written"), "n": _("Samples"), "first_seen": _("First seen"),
                        "last_seen": _("Last seen")}, ctx)

ENGLISH_ONLY = _("This document is written in English only for now.")

with dictionary:
    found = doc_text.document(DOCS, "data-dictionary.md", ctx.lang)
    if found and found[1] != ctx.lang:
        st.info(ENGLISH_ONLY)
    if found:
        st.markdown(found[0])
    else:
        st.caption(_("The data dictionary (docs/data-dictionary.md) is not available in this installation."))

with methods:
    found = doc_text.document(DOCS, "methods.md", ctx.lang)
    if found and found[1] != ctx.lang:
        st.info(ENGLISH_ONLY)
    if found:
        st.markdown(found[0])
    st.caption(_("Positivity uses only samples tested by a method sensitive enough to detect the substance "
                 "(minimum {low} for a point not to be marked low n).").format(low=metrics.LOW_N))
