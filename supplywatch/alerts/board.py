"""What the public board needs besides the alerts: its region list and links to the static channel files."""

from __future__ import annotations

import os
import re

from .model import Alert


def region_options(*groups: list[Alert]) -> list[str]:
    """Every region named by the given alerts, sorted."""
    return sorted({r for group in groups for a in group for r in a.regions})


def public_files(alert: Alert | None, lang: str, region: str | None = None) -> list[tuple[str, str]]:
    """(kind, URL) of the static files for one alert version (its alert's static page, poster, cap, sms), or of the
    feeds (atom, json) and the static board page (board) of ``region`` in ``lang``.

    The URLs are where the files are really served to this reader: under ``SUPPLYWATCH_PUBLIC_URL`` when a
    deployment serves the folder elsewhere, else ``/public/...`` on the dashboard's own origin (``make run``
    serves the folder there, see channels/serving.py), whatever address the reader used to reach it.
    Empty when the channels package cannot say (the board still works without links).
    """
    try:
        from ..channels import links
        from ..channels.board_html import board_path
    except Exception:  # channels missing or broken: no links rather than no board
        return []
    if alert is not None:
        names = [("page", links.alert_file(alert.alert_id, lang)),  # the address to share: opens without a session
                 ("poster", links.poster_path(alert, lang)), ("cap", links.cap_path(alert)),
                 ("sms", links.sms_path(alert, lang))]
    else:
        names = [(ext, links.feed_path(region, lang, ext)) for ext in ("atom", "json")]
        names.append(("board", board_path(region, lang)))
    try:
        return [(kind, public_href(name)) for kind, name in names]
    except links.ChannelError:  # SUPPLYWATCH_PUBLIC_URL is not http(s): publishing says so loudly; no bad links
        return []


_OWN_PATH = re.compile(r"/public/[A-Za-z0-9._~%/-]+")


def own_path(url: str) -> str | None:
    """``url`` when it is a path to one of our public files on this origin ('/public/...', nothing that could leave
    the origin or break out of markup), else None."""
    return url if _OWN_PATH.fullmatch(url or "") and "//" not in url and ".." not in url else None


def public_href(relative: str) -> str:
    """Link to one public file for a dashboard page: absolute under SUPPLYWATCH_PUBLIC_URL, else '/public/...'."""
    from ..channels.links import check_base_url

    root = os.environ.get("SUPPLYWATCH_PUBLIC_URL")
    return f"{check_base_url(root)}/{relative}" if root else f"/public/{relative}"
