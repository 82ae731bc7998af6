"""Command line for deployments: manage staff accounts and refresh the public alert files (for cron).

    python -m supplywatch users add NAME --role reviewer [--password-stdin]
    python -m supplywatch users list | disable NAME | enable NAME | reset NAME | role NAME ROLE
    python -m supplywatch publish [--rebuild | --dry-run [--now ISO-TIME]]
    python -m supplywatch deliver [--once]
    python -m supplywatch subscribers new-key | counts | problems | remove ADDRESS
    python -m supplywatch webhooks add NAME URL [--regions A,B] [--min-severity S] [--lang L] | list | remove ID | disable ID | enable ID
    python -m supplywatch help-directory load FILE | list

Passwords come from --password-stdin, else a prompt on a terminal, else one is
generated and printed once. Errors are one line on stderr with exit status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys

from . import app_copy, auth, db


def _actor() -> str:
    """Who the audit names for a command: the OS user that ran it, never a bare 'system'."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers: the uid still says who
        return f"cli:uid{os.getuid()}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _password(args) -> tuple[str, bool]:
    """(password, generated?) from stdin, a prompt, or a fresh random one."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat password: "):
            raise auth.AuthError("passwords do not match")
        return first, False
    return auth.generate_password(), True


def _show_password(name: str, password: str, generated: bool) -> None:
    if generated:
        print(f"password for {name} (shown once, pass it on safely): {password}")


def cmd_add(args) -> int:
    password, generated = _password(args)
    user = auth.add_user(args.name, args.role, password, actor=_actor(), now=_now())
    print(f"added {user.username} ({user.role})")
    _show_password(user.username, password, generated)
    return 0


def cmd_list(args) -> int:
    users = auth.list_users()
    if not users:
        print("no staff accounts yet: add one with `python -m supplywatch users add NAME --role admin`")
        return 0
    width = max(len(u.username) for u in users)
    for u in users:
        state = "disabled" if u.disabled else ("locked" if u.locked_until and u.locked_until > _now().replace(tzinfo=None) else "active")
        print(f"{u.username:<{width}}  {u.role:<8}  {state}")
    return 0


def cmd_disable(args) -> int:
    user = auth.set_disabled(args.name, True, actor=_actor(), now=_now())
    print(f"disabled {user.username}")
    return 0


def cmd_enable(args) -> int:
    user = auth.set_disabled(args.name, False, actor=_actor(), now=_now())
    print(f"enabled {user.username}")
    return 0


def cmd_reset(args) -> int:
    password, generated = _password(args)
    user = auth.reset_password(args.name, password, actor=_actor(), now=_now())
    print(f"new password set for {user.username}; any lockout cleared")
    _show_password(user.username, password, generated)
    return 0


def cmd_role(args) -> int:
    user = auth.set_role(args.name, args.role, actor=_actor(), now=_now())
    print(f"{user.username} is now {user.role}")
    return 0


def cmd_publish(args) -> int:
    from .alerts import store

    if args.now and not args.dry_run:
        # Acting as another time on live data once expired a live warning for good: time travel is for dry runs.
        raise ValueError("--now acts as another time and is only allowed with --dry-run"
                         " (it would expire live alerts for good)")
    now = dt.datetime.fromisoformat(args.now) if args.now else _now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    if args.dry_run:
        return _dry_run(store, now)
    expired = store.expire_due(now, actor=_actor())
    outcome = store.refresh_public(now, _actor(), rebuild=args.rebuild)
    for key in expired:
        print(f"expired {key}")
    print(f"{'ok' if outcome.ok else 'error'}: {outcome.message}")
    return 0 if outcome.ok else 1


def _dry_run(store, now: dt.datetime) -> int:
    """What `publish` would do at ``now``; reads only (no expiry, no audit row, no public file)."""
    for alert in store.due_for_expiry(now):
        print(f"would expire {alert.key} (expiry {alert.expires_at.isoformat()})")
    active = len(store.active_alerts(now))
    print(f"would publish {active} active alert{'' if active == 1 else 's'}")
    print(f"dry run at {now.isoformat()}: nothing written")
    return 0


def cmd_deliver(args) -> int:
    from .delivery import worker

    if not args.once:
        worker.run_forever(poll=args.poll)
        return 0  # pragma: no cover (runs until stopped)
    report = worker.drain()
    print(f"sent {report.sent}, retry later {report.retried}, dead {report.dead}")
    for error in report.errors[-3:]:
        print(f"  {error}")
    return 0


def cmd_new_key(args) -> int:
    from .delivery import keys

    print(keys.new_key())
    return 0


def cmd_counts(args) -> int:
    from .delivery import queue, subscribers

    rows = subscribers.counts()
    if not rows:
        print("no confirmed subscribers")
    for r in rows:
        print(f"{r['region']}\t{r['lang']}\t{r['subscribers']}")
    print("queue: " + (", ".join(f"{k} {v}" for k, v in sorted(queue.summary().items())) or "empty"))
    return 0


def cmd_problems(args) -> int:
    from .delivery import queue
    from .local_time import format_local

    rows = queue.problems()
    if not rows:
        print("no failed deliveries")
    for r in rows:
        what = "confirmation request" if r["kind"] == "confirm" else f"{r['alert_id']}@{r['version']}"
        when = "" if r["status"] == "dead" else f", next try {format_local(r['next_attempt_at'], 'en')}"
        print(f"{r['status']}: {what} (attempts {r['attempts']}{when}): {r['reason']}")
    return 0


def cmd_webhook_add(args) -> int:
    from .delivery import webhooks

    regions = [r for r in (args.regions or "").split(",") if r.strip()]
    hook_id, secret = webhooks.register(args.name, args.url, regions, args.min_severity, args.lang, _actor(), _now())
    print(f"added {hook_id}")
    print(f"signing secret (shown once, pass it on safely): {secret}")
    return 0


def cmd_webhook_list(args) -> int:
    from .delivery import webhooks

    hooks = webhooks.listing()
    if not hooks:
        print("no webhooks")
    for h in hooks:
        print(f"{h['webhook_id']}  {h['name']}  {h['host']}  {', '.join(h['regions']) or '*'}  "
              f"{h['min_severity']}  {h['lang']}" + ("  disabled" if h["disabled"] else ""))
    return 0


def cmd_webhook_remove(args) -> int:
    from .delivery import webhooks

    print("removed" if webhooks.remove(args.webhook_id, _actor(), _now()) else "no such webhook")
    return 0


def cmd_webhook_disable(args) -> int:
    from .delivery import webhooks

    disable = args.webhooks_command == "disable"
    done = webhooks.set_disabled(args.webhook_id, disable, _actor(), _now())
    print(("disabled" if disable else "enabled") if done else "no such webhook")
    return 0


def cmd_remove(args) -> int:
    from .delivery import subscribers

    removed = subscribers.remove(args.address, _actor(), _now())
    print("removed" if removed else "not subscribed")
    return 0


def cmd_help_load(args) -> int:
    from . import help_directory
    from .alerts import store

    count = help_directory.load(args.file, _actor(), _now())
    print(f"loaded {count} help entr{'y' if count == 1 else 'ies'} from {os.path.basename(args.file)}")
    outcome = store.refresh_public(_now(), _actor())  # feeds and boards show the new entries at once
    print(f"{'ok' if outcome.ok else 'error'}: {outcome.message}")
    return 0 if outcome.ok else 1


def cmd_help_list(args) -> int:
    from . import help_directory

    groups = help_directory.by_region(help_directory.current())
    if not groups:
        print("no help directory loaded: `python -m supplywatch help-directory load data/help_directory.csv`")
    for region, entries in groups.items():
        for entry in entries:
            print(f"{region}\t{entry.line('en')}")
    return 0


def cmd_migrate_app(args) -> int:
    return app_copy.main_args(args.to, args.source)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m supplywatch", description="Supply Watch staff accounts and public alert files.")
    add_commands(p.add_subparsers(dest="command", required=True))
    return p


def add_commands(sub) -> None:
    """Add users, publish, deliver, subscribers and webhooks to ``sub`` (``python -m supplywatch`` or
    ``supplywatch``); each runs through :func:`run`, and a command's help line is also its --help description."""
    users = sub.add_parser("users", help="manage staff accounts (poster, reviewer, admin)")
    usub = users.add_subparsers(dest="users_command", required=True)

    add = usub.add_parser("add", help="add a staff account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=auth.ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(func=cmd_add)

    usub.add_parser("list", help="list staff accounts").set_defaults(func=cmd_list)
    for name, func, text in (("disable", cmd_disable, "disable an account (it loses access at once)"),
                             ("enable", cmd_enable, "re-enable a disabled account")):
        sp = usub.add_parser(name, help=text)
        sp.add_argument("name")
        sp.set_defaults(func=func)

    reset = usub.add_parser("reset", help="set a new password and clear any lockout")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    reset.set_defaults(func=cmd_reset)

    role = usub.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=auth.ROLES)
    role.set_defaults(func=cmd_role)

    pub = sub.add_parser("publish", help="expire what is due and rewrite the public feeds, CAP files, SMS texts and posters")
    pub.add_argument("--dry-run", action="store_true", help="say what would expire and be published; write nothing")
    pub.add_argument("--rebuild", action="store_true",
                     help="also rewrite every version's CAP file, SMS texts and posters (after a change to how they"
                          " are made, e.g. their link to the alert's page)")
    pub.add_argument("--now", help="with --dry-run only: UTC time to act as (ISO 8601); default: the clock")
    pub.set_defaults(func=cmd_publish)

    dl = sub.add_parser("deliver", help="send queued alert mails to subscribers (SMTP settings from the environment)",
                        description="Drain the delivery queue: confirmation requests and alert mails go to the SMTP "
                        "server named by SUPPLYWATCH_SMTP_HOST (see docs/subscriptions.md). Needs "
                        "SUPPLYWATCH_SUBSCRIBER_KEY. Without --once it keeps polling until stopped.")
    dl.add_argument("--once", action="store_true", help="send what is due now, then exit")
    dl.add_argument("--poll", type=float, default=5.0, help="seconds between rounds when running on (default 5)")
    dl.set_defaults(func=cmd_deliver)

    subs = sub.add_parser("subscribers", help="email subscribers: make a key, see counts, remove an address")
    ssub = subs.add_subparsers(dest="subscribers_command", required=True)
    ssub.add_parser("new-key", help="print a fresh SUPPLYWATCH_SUBSCRIBER_KEY").set_defaults(func=cmd_new_key)
    ssub.add_parser("counts", help="confirmed subscribers per region and language, and the queue").set_defaults(
        func=cmd_counts)
    ssub.add_parser("problems", help="dead letters and messages waiting for a retry, with the reason").set_defaults(
        func=cmd_problems)
    rm = ssub.add_parser("remove", help="delete an address on the person's request")
    rm.add_argument("address")
    rm.set_defaults(func=cmd_remove)

    hooks = sub.add_parser("webhooks", help="organisations' receivers of signed alert JSON")
    hsub = hooks.add_subparsers(dest="webhooks_command", required=True)
    hadd = hsub.add_parser("add", help="register a webhook and print its signing secret once")
    hadd.add_argument("name", help="the organisation")
    hadd.add_argument("url", help="https:// address that receives the POSTs")
    hadd.add_argument("--regions", help="comma-separated regions (default: every region)")
    hadd.add_argument("--min-severity", default="information", choices=("information", "caution", "warning"))
    hadd.add_argument("--lang", default="en", choices=("en", "fr"))
    hadd.set_defaults(func=cmd_webhook_add)
    hsub.add_parser("list", help="registered webhooks (host only)").set_defaults(func=cmd_webhook_list)
    hrm = hsub.add_parser("remove", help="delete a webhook")
    hrm.add_argument("webhook_id")
    hrm.set_defaults(func=cmd_webhook_remove)
    for name, text in (("disable", "send a webhook nothing until it is enabled again"), ("enable", "resume a webhook")):
        hd = hsub.add_parser(name, help=text)
        hd.add_argument("webhook_id")
        hd.set_defaults(func=cmd_webhook_disable)

    helpdir = sub.add_parser("help-directory", help="where to get help, per region, shown with every alert")
    hdsub = helpdir.add_subparsers(dest="help_command", required=True)
    hload = hdsub.add_parser("load", help="replace the directory with a CSV (docs/data-formats.md); all or nothing")
    hload.add_argument("file")
    hload.set_defaults(func=cmd_help_load)
    hdsub.add_parser("list", help="the loaded entries by region").set_defaults(func=cmd_help_list)

    mig = sub.add_parser("migrate-app", help="copy the app file (accounts, alerts, audit ...) into PostgreSQL",
                         description="Copy every app table from the DuckDB app file into a PostgreSQL database, check "
                         "the counts on both sides and print them; safe to run again (docs/scale-out.md).")
    mig.add_argument("--to", required=True, help="postgresql://user@host:port/dbname (the new SUPPLYWATCH_APP_DB)")
    mig.add_argument("--from", dest="source", help="the app file (default: the one the settings name)")
    mig.set_defaults(func=cmd_migrate_app)
    for name in ("users", "publish", "deliver", "subscribers", "webhooks", "help-directory", "migrate-app"):
        sub.choices[name].set_defaults(run=run)
    _describe(sub)


def _describe(sub) -> None:
    """Give every (sub)command without a description its help line as one, so ``--help`` says what it does."""
    for action in sub._choices_actions:
        command = sub.choices[action.dest]
        command.description = command.description or action.help
        for inner in command._subparsers._group_actions if command._subparsers else ():
            _describe(inner)


def main(argv: list[str] | None = None) -> int:
    return run(parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run the parsed command; errors are one line on stderr with exit status 1."""
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except (auth.AuthError, ValueError, db.AppStoreUnavailable, app_copy.CopyRefused) as exc:
        for line in str(exc).splitlines() or [""]:  # a refused file names each bad row on its own line
            print(f"error: {line}", file=sys.stderr)
        return 1
    except Exception as exc:  # no traceback for operators: one line, then a non-zero exit
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
