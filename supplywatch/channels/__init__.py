"""Every static public file made from the alerts: feeds, CAP XML, SMS texts, posters, board and alert pages, index.

:func:`publish_all` is called by the alert store after each public state change
(publish, correction, retraction, expiry) and by ``python -m supplywatch publish``.
Each file is written to a temporary name in its folder and swapped in with
``os.replace``, so a web server never serves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

from ..alert_states import PUBLIC_STATUSES  # versions that were public get files; drafts never do
from .alert_html import alert_files, latest_versions
from .board_html import board_html, board_path
from .cap import cap_xml, validation_errors
from .feeds import atom_feed, json_feed
from .links import (
    LANGS,
    ChannelError,
    alert_file,
    alert_page_url,
    alert_static_url,
    cap_path,
    check_base_url,
    feed_path,
    file_url,
    iso,
    poster_path,
    sms_path,
)
from .poster import poster_pdf
from .sms import sms_text

__all__ = ["publish_all", "ChannelError", "PUBLIC_STATUSES"]



def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` via a temporary file and ``os.replace``; False when already identical."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def version_files(alert, referenced, base_url: str, help_entries=()) -> dict[str, bytes]:
    """The CAP document (schema-checked), SMS texts and posters of one public version (with where to get help)."""
    doc = cap_xml(alert, base_url=base_url, referenced=referenced)
    errors = validation_errors(doc)
    if errors:
        raise ChannelError(f"CAP for {alert.key} does not validate: {errors[0]}")
    files = {cap_path(alert): doc}
    for lang in LANGS:
        page = alert_static_url(base_url, alert, lang)  # the alert's static page: opens at once for a crowd
        files[sms_path(alert, lang)] = (sms_text(alert, lang, page, help_entries) + "\n").encode("utf-8")
        files[poster_path(alert, lang)] = poster_pdf(alert, lang, page, help_entries)
    return files


def render_all(
    active: list, history: list, base_url: str, now: datetime, skip_existing: Path | None = None,
    help_entries=(),
) -> tuple[dict[str, bytes], list[str]]:
    """Every public file as {relative path: bytes} without touching the disk, and the versions that failed.

    A version that cannot be rendered (a reference to a version not given, a broken
    font ...) is left out with a one-line reason, so it cannot keep the feeds stale.
    With ``skip_existing`` (a public folder), a version's CAP, SMS and poster files that
    are already there are not rendered again: a version never changes once public, and a
    poster takes ~0.2 s. ``help_entries`` is the staff's help directory (supplywatch.help_directory): each
    channel shows the entries for an alert's regions.
    """
    base_url = check_base_url(base_url)
    by_key = {a.key: a for a in [*history, *active]}
    versions = sorted(
        (a for a in by_key.values() if a.status in PUBLIC_STATUSES), key=lambda a: (a.alert_id, a.version)
    )
    active_keys = {a.key for a in active}
    files: dict[str, bytes] = {}
    failures: list[str] = []
    regions = sorted({r for a in versions for r in a.regions})
    for lang in LANGS:
        for region in [None, *regions]:
            shown = [a for a in active if region is None or region in a.regions]
            for ext, render in (("atom", atom_feed), ("json", json_feed)):
                name = feed_path(region, lang, ext)
                extra = {"help_entries": help_entries} if ext == "json" else {}
                files[name] = render(
                    shown, lang=lang, feed_url=file_url(base_url, name), base_url=base_url, now=now, region=region,
                    **extra,
                )
            files[board_path(region, lang)] = board_html(active, lang, region, regions, base_url, now, help_entries)
    for alert in latest_versions(versions):  # rewritten every time: a retraction or an end shows at once
        try:
            files.update(alert_files(alert, alert.key in active_keys, now, help_entries))
        except Exception as exc:
            failures.append(f"{alert.key} page: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    index_alerts = []
    for alert in versions:
        own = [cap_path(alert), *(sms_path(alert, lang) for lang in LANGS), *(poster_path(alert, lang) for lang in LANGS)]
        if not (skip_existing and all((skip_existing / name).is_file() for name in own)):
            try:
                files.update(version_files(alert, by_key.get(alert.references or ""), base_url, help_entries))
            except Exception as exc:  # one bad version must not stop the feeds from updating
                failures.append(f"{alert.key}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
                continue
        index_alerts.append(
            {
                "alert_id": alert.alert_id,
                "version": int(alert.version),
                "status": alert.status,
                "msg_type": alert.msg_type,
                "severity": alert.severity,
                "regions": list(alert.regions),
                "active": alert.key in active_keys,
                "page": alert_page_url(base_url, alert),
                "pages": {lang: alert_file(alert.alert_id, lang) for lang in LANGS},
                "cap": cap_path(alert),
                "posters": {lang: poster_path(alert, lang) for lang in LANGS},
                "sms": {lang: sms_path(alert, lang) for lang in LANGS},
            }
        )
    feeds = {
        (region or "*"): {lang: {ext: feed_path(region, lang, ext) for ext in ("atom", "json")} for lang in LANGS}
        for region in [None, *regions]
    }
    index = {"generated_at": iso(now), "base_url": base_url, "feeds": feeds, "alerts": index_alerts}
    files["index.json"] = (json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files, failures


def publish_all(
    active: list, history: list, public_dir: Path, base_url: str, now: datetime, rebuild: bool = False,
    help_entries=(),
) -> dict:
    """Write every public file under ``public_dir``; return ``{"written": [...], "unchanged": [...]}`` of paths.

    ``active`` are the alerts on the board now; ``history`` every public version (any
    order, may overlap ``active``). Everything is rendered (and CAP validated) before the
    first file is replaced. Feeds and the index are always rebuilt; a version's own files
    only when missing or with ``rebuild=True`` (after a change to how channels render).
    A version that cannot be rendered is left out and, once every other file is written,
    reported by a :class:`ChannelError` naming it (so staff see it, and feeds never go stale).
    """
    public_dir = Path(public_dir)
    files, failures = render_all(active, history, base_url, now, skip_existing=None if rebuild else public_dir,
                                 help_entries=help_entries)
    written, unchanged = [], []
    # index.json last: a reader that follows it finds every file it names.
    for name in sorted(files, key=lambda n: n == "index.json"):
        path = public_dir / name
        (written if write_atomic(path, files[name]) else unchanged).append(path)
    if failures:
        raise ChannelError(
            f"{len(failures)} alert version(s) not rendered (the other public files were written): {failures[0]}"
        )
    return {"written": written, "unchanged": unchanged}
