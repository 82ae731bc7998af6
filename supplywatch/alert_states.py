"""The states and severities of an alert version: what the alert store records and the public channels render.

Below both (supplywatch.alerts builds and stores alerts and calls supplywatch.channels to write the public
files; the channels only need these words to choose and sort what they render), so neither package imports
the other in a loop. :mod:`supplywatch.alerts.model` hands the same names on.
"""

STATUSES = ("draft", "in_review", "published", "superseded", "expired", "cancelled")
# States a reader of the public history may see; drafts and reviews never leave staff pages.
PUBLIC_STATUSES = ("published", "superseded", "expired", "cancelled")
SEVERITIES = ("information", "caution", "warning")


def severity_rank(severity: str) -> int:
    """0 for information, 1 caution, 2 warning: for sorting most severe first."""
    return SEVERITIES.index(severity)
