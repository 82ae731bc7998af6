"""Staff page: draft an alert, submit it for review, approve/publish, return, correct, retract; with the audit."""

import datetime as dt

import pandas as pd
import streamlit as st

from supplywatch import auth, classes, i18n
from supplywatch.web import session
from supplywatch.alerts import settings, store
from supplywatch.alerts.model import SEVERITIES
from supplywatch.alerts.text import LADDER, escape_markdown, split_items, what_to_do
from supplywatch.channels import ChannelError, sms
from supplywatch.formula_guard import guard_frame

lang = session.lang()
_ = i18n.translator(lang)
user = session.require_role(*session.STAFF_ROLES, page="staff_alerts")
me = user["username"]
is_reviewer = auth.has_role(user["role"], "reviewer")

SEVERITY = {"information": _("Information"), "caution": _("Caution"), "warning": _("Warning")}
STATUS = {
    "draft": _("Draft"), "in_review": _("In review"), "published": _("Published"), "superseded": _("Superseded"),
    "expired": _("Expired"), "cancelled": _("Retracted"),
}
LANG_NAMES = {"en": _("English"), "fr": _("French")}

now = session.now()
try:
    store.expire_due(now)
except Exception as exc:  # never block staff over expiry bookkeeping; say it in one line
    st.warning(_("Expired alerts could not be recorded: {error}").format(error=str(exc).splitlines()[0]))


def warn_sms_without_link() -> None:
    """Warn staff when the deployment's public address is too long for an SMS to carry the alert's page link."""
    try:
        missing = sms.languages_without_link(settings.base_url())
    except ChannelError:  # not a web address at all: publishing itself says so
        return
    if missing:
        names = [LANG_NAMES[m].lower() if lang == "fr" else LANG_NAMES[m] for m in missing]  # « en français »
        st.warning(_("SMS in {languages} will go out without the link to the alert's own page: the page address is "
                     "longer than a text message can carry. Set SUPPLYWATCH_PUBLIC_URL to an address of 42 characters "
                     "or fewer (docs/deploying.md).").format(languages=", ".join(names)))


warn_sms_without_link()


def show_publish_outcome() -> None:
    """Warn staff when the public files (feeds, CAP, SMS, posters) could not be rewritten."""
    outcome = store.last_publish()
    if outcome is not None and not outcome.ok:
        st.warning(_("The alert is saved, but the public files were not updated: {error}").format(error=outcome.message))


def act(step, success: str) -> None:
    """Run one lifecycle step; show its refusal as one line, or confirm and refresh."""
    try:
        step()
    except store.AlertError as exc:
        st.error(exc.translated(_))
        return
    except Exception as exc:  # e.g. the app file busy for too long: one line, never a traceback
        st.error(_("Nothing was changed: {error}").format(error=f"{type(exc).__name__}: {exc}".splitlines()[0]))
        return
    st.session_state["staff_alerts_flash"] = success
    st.rerun()


def alert_form(prefix: str, alert=None):
    """The alert fields as a form; returns the fields for the store when submitted, else None."""
    with st.form(f"{prefix}_form"):
        severity = st.selectbox(
            _("Severity"), SEVERITIES, format_func=SEVERITY.get, key=f"{prefix}_severity",
            index=SEVERITIES.index(alert.severity) if alert else 1,
        )
        regions = st.text_input(_("Regions (comma-separated)"), value=", ".join(alert.regions) if alert else "",
                                key=f"{prefix}_regions")
        substances = st.text_input(_("Substances (comma-separated)"),
                                   value=", ".join(alert.substances) if alert else "", key=f"{prefix}_substances")
        guidance = st.multiselect(
            _("Guidance for (used when What to do is left empty)"), classes.SUBSTANCE_CLASSES,
            format_func=lambda c: classes.label(c, lang),
            key=f"{prefix}_guidance", placeholder=_("Choose options"),
        )
        evidence = st.text_area(_("Evidence (one per line: sample ids, signal, overdose counts, dates)"),
                                value="\n".join(alert.evidence) if alert else "", key=f"{prefix}_evidence")
        links = st.text_input(_("Links (http, https, mailto or tel; comma-separated)"),
                              value=", ".join(alert.links) if alert else "", key=f"{prefix}_links")
        days = st.number_input(_("Expires after (days)"), min_value=1, max_value=90, key=f"{prefix}_days",
                               value=max(1, min(90, (alert.expires_at - now).days)) if alert and alert.expires_at > now else 7)
        texts = {}
        for code in ("en", "fr"):
            old = alert.text.get(code) if alert else None
            st.markdown(f"**{LANG_NAMES[code]}**")
            texts[code] = {
                "headline": st.text_input(_("Headline (one sentence)"), value=old.headline if old else "",
                                          key=f"{prefix}_{code}_headline", max_chars=160),
                "details": st.text_area(_("Details"), value=old.details if old else "", key=f"{prefix}_{code}_details"),
                "what_to_do": st.text_area(_("What to do"), value=old.what_to_do if old else "",
                                           key=f"{prefix}_{code}_what_to_do"),
            }
        submitted = st.form_submit_button(_("Save draft"))
    if not submitted:
        return None
    for code, t in texts.items():
        if not t["what_to_do"].strip():
            t["what_to_do"] = what_to_do(guidance, code)
    return {
        "text": texts, "severity": severity, "regions": split_items(regions),
        "substances": split_items(substances), "evidence": split_items(evidence, "\n"),
        "links": split_items(links), "expires_at": now + dt.timedelta(days=int(days)),
    }


st.title(_("Draft and review alerts"))
st.caption(_("Signed in as {name} ({role}).").format(name=me, role=session.role_label(user["role"], _)))
if flash := st.session_state.pop("staff_alerts_flash", None):
    st.success(flash)
show_publish_outcome()

with st.expander(_("Severity ladder")):
    # Reasons are msgids in alerts.po, so French staff read the ladder in French.
    st.text("\n".join(f"{SEVERITY[sev]}: {_(reason)}" for sev, _test, reason in LADDER))
    st.caption(_("Information when no rule matches. See docs/alerts.md."))

with st.expander(_("New draft alert"), expanded=False):
    fields = alert_form("new")
    if fields is not None:
        act(lambda: store.create_draft(actor=me, now=now, **fields), _("Draft saved."))

show_past = st.checkbox(_("Also show expired and retracted alerts"), key="staff_show_past")
queue = [a for a in store.staff_queue() if show_past or a.status in ("draft", "in_review", "published")]
if not queue:
    st.info(_("No alerts yet."))

for alert in queue:
    t = alert.text_for(lang)
    with st.container(border=True):
        label = f"{STATUS.get(alert.status, alert.status)} · {SEVERITY[alert.severity]} · {alert.key}"
        if alert.msg_type == "Update":
            label += " · " + _("correction of {key}").format(key=alert.references)
        if alert.flagged_for_review:
            label += " · " + _("published by one person: needs a second look")
        st.text(label)
        # Alert text is shown as text: markdown escaped, never HTML.
        st.markdown("**" + escape_markdown(t.headline) + "**")
        st.text(_("Written by {authors} · Regions: {regions}").format(
            authors=", ".join(alert.authors or (alert.author,)), regions=", ".join(alert.regions)))
        if alert.status_reason:
            st.text(_("Reason: {reason}").format(reason=alert.status_reason))
        with st.expander(_("Details, evidence and audit")):
            st.text(t.details)
            st.text(t.what_to_do)
            st.text("\n".join(alert.evidence))
            audit = pd.DataFrame(store.audit_log(alert.alert_id))
            st.dataframe(guard_frame(audit), hide_index=True)

        aid = alert.alert_id
        wrote_it = me in alert.authors
        # Posters work only on drafts they wrote; the store refuses the rest anyway (two-person rule by authorship).
        if alert.status == "draft" and (is_reviewer or wrote_it):
            if st.button(_("Submit for review"), key=f"submit_{aid}"):
                act(lambda: store.submit_for_review(aid, me, now), _("Submitted for review."))
            with st.expander(_("Revise draft")):
                if not wrote_it:
                    st.caption(_("Saving a revision makes you an author of this version: you will not be able to "
                                 "approve it."))
                fields = alert_form(f"revise_{aid}", alert)
                if fields is not None:
                    act(lambda: store.revise_draft(aid, actor=me, now=now, **fields), _("Draft saved."))
        elif alert.status == "in_review" and is_reviewer:
            if not wrote_it:
                if st.button(_("Approve and publish"), key=f"approve_{aid}"):
                    act(lambda: store.approve(aid, me, now), _("Published."))
            elif settings.single_person_publish(alert.severity):
                if st.button(_("Publish alone (flagged for a second look)"), key=f"approve_{aid}"):
                    act(lambda: store.approve(aid, me, now), _("Published."))
            else:
                st.caption(_("You wrote this version: another reviewer must approve it (two-person rule)."))
            reason = st.text_input(_("Reason for returning it to draft"), key=f"reason_{aid}")
            if st.button(_("Return to draft"), key=f"return_{aid}"):
                act(lambda: store.return_to_draft(aid, me, reason, now), _("Returned to draft."))
        elif alert.status == "published":
            if alert.flagged_for_review and is_reviewer and not wrote_it and me != alert.approver:
                if st.button(_("Confirm (second look)"), key=f"look_{aid}"):
                    act(lambda: store.second_look(aid, me, now), _("Confirmed."))
            with st.expander(_("Correct (new version, reviewed again)")):
                fields = alert_form(f"correct_{aid}", alert)
                if fields is not None:
                    act(lambda: store.correct(aid, actor=me, now=now, **fields), _("Correction saved as a draft."))
            if is_reviewer:
                why = st.text_input(_("Reason for retracting"), key=f"why_{aid}")
                if st.button(_("Retract"), key=f"retract_{aid}"):
                    act(lambda: store.retract(aid, me, why, now), _("Retracted."))
