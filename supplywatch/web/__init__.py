"""The Streamlit glue between the domain and the pages: everything a page needs that is about Streamlit rather
than about the data.

- ``queries``: the registry of metrics queries, their cache keyed by the data version, the warm-up after a load;
- ``reader``: who is reading (staff or public, k) and the page ``Context`` that writes numbers and dates for them;
- ``sidebar``: the language switch, the supply filters mirrored into the URL, the banner, ``start_page``;
- ``labels``: reader-facing names of substances, classes and methods;
- ``reader_counts``: counts, rates and tables as one reader may see them (suppressed for the public);
- ``alert_lists``: community and outside alerts on the supply pages and the public board.

Pages reach these through :mod:`supplywatch.views`, which re-exports the names they call. The domain below
(metrics, db, alerts ...) never imports this package; see docs/architecture.md.
"""
