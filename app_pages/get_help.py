"""Public page: where to get help, by region (drug checking, naloxone, supervised consumption and overdose prevention,
treatment and detox entry, crisis and spotting lines), from the directory staff keep (supplywatch.help_directory)."""

import streamlit as st

from supplywatch import help_directory, i18n
from supplywatch.web import help_pages, session
from supplywatch.alerts.text import escape_markdown

lang = session.lang()
_ = i18n.translator(lang)

st.title(_("Where to get help"))
st.caption(_("Services near you for people who use drugs, their friends and families: drug checking, naloxone, "
             "supervised consumption and overdose prevention, treatment and detox, and lines you can call any "
             "time. No judgement."))
groups = help_directory.by_region(help_pages.entries())
if not groups:
    st.info(_("No help directory has been published for this site yet. In an emergency, call 911."))
    st.stop()
names = [r for r in groups if r != help_directory.EVERYWHERE]
region = st.selectbox(_("Region"), [""] + names, format_func=lambda r: r or _("All regions"),
                      key=f"help_region_{lang}")
for name, entries in groups.items():
    if region and name not in (region, help_directory.EVERYWHERE):
        continue
    st.header(_("Every region") if name == help_directory.EVERYWHERE else escape_markdown(name))
    help_pages.show(entries, lang, f"help-page-{name}")
