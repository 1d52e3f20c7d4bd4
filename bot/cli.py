"""The command line: `bulletin-bot [--config PATH] COMMAND`. Each command calls into the core.

Exit status: 0 done, 1 the source or the data failed (the message says how), 2 the command
line or the configuration was wrong (the message says what to type instead).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import getpass
import json
import logging
import os
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import httpx

from bot import __version__, instance, logs, oryx, reading, render, texts
from bot.admin import COMMAND_LINE, PREFIX, Desk, admin_commands
from bot.categories import UnknownCategories
from bot.clock import Clock
from bot.config import Config, ConfigError
from bot.config import load as load_config
from bot.dates import WAR_START, date_among, parse_user_date
from bot.errors import BulletinBotError, UserError
from bot.export import Export, export
from bot.export import parse_arguments as parse_export
from bot.figures import bulletin_on
from bot.ingest import Arrival, Outcome, ingest, seed_if_empty, tally_line
from bot.poll import PollResult, alert_held, poll_once
from bot.publish import publish_outcomes
from bot.report import Report
from bot.sources import connect
from bot.sources.dataset import PUBLIC_URLS, DatasetError, reports_from
from bot.sources.http import SourceError, get_json, get_text, make_client
from bot.store import ReportStatus, Store, StoreError, SubscriberStatus
from bot.store.database import OWNER, DatabaseFailed, beside, examine

log = logging.getLogger(__name__)


class CommandError(BulletinBotError):
    """A command's own failure, its message a whole line for stderr; its exit status is given
    where it is raised (2: what was typed; 1 otherwise)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Invocation:
    """What every command of one `bulletin-bot` run works with: the configuration it loaded and
    the clock (a fixed one in tests), and from them today and the database."""

    config: Config
    clock: Clock

    @property
    def today(self) -> date:
        """Today where the bulletin is published (the configured time zone)."""
        return self.config.schedule.today(self.clock.now())

    def open_store(self, *, seed: bool = True, keep: bool = True, replacing: bool = False) -> Store:
        """The configured database; a new, empty one gets the bundled history unless told not.

        Where there is no database, a command still answers from the bundled history: one that
        writes (`keep`) makes the database, with a marker beside it (`NAME.created`); a reader's
        command (`keep=False`: latest, on, compare, export) reads the history in memory and
        leaves no file behind. A missing database whose marker is there is refused, by every
        command but `restore` (`replacing`, which is the remedy): it existed and is gone
        (deleted, a volume not mounted), and starting afresh would silently drop every
        subscription."""
        path = Path(self.config.storage.database)
        if not path.exists() and not replacing:
            _refuse_if_gone(path)
            if not keep:
                store = Store(":memory:")
                seed_if_empty(store, now=self.clock.now(), today=self.today)
                return store
        created = not path.exists()
        store = Store(path)
        if created:
            with contextlib.suppress(OSError):  # a read-only folder: no marker, no harm
                _marker(path).write_text(f"created {self.clock.now():%Y-%m-%d %H:%M} UTC\n")
        if seed:
            seed_if_empty(store, now=self.clock.now(), today=self.today)
        return store


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> int:
    args = _parser().parse_args(argv)
    logs.configure(verbose=args.verbose)
    context: Invocation | None = None
    try:
        context = Invocation(load_config(args.config), clock or Clock())
        secrets = (context.config.telegram.token, context.config.webhook.secret_token)
        logs.configure(verbose=args.verbose, secrets=secrets)
        if not args.verbose:
            logging.getLogger().setLevel(args.logs)
        return args.command(context, args) or 0
    except BulletinBotError as error:  # one line, no traceback
        print(_said(error, context), file=sys.stderr)
        return error.status
    except BrokenPipeError:  # the output was closed (`bulletin-bot latest | head -3`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to say
        return 1


def _said(error: BulletinBotError, context: Invocation | None) -> str:
    """A failure as the terminal says it: a command's own message (CommandError) and a refusal
    of what was asked (UserError) as they are; anything else after what failed. A refusal is
    plain text that names commands as the command line spells them (PREFIX) and quotes what
    was typed as typed: only control characters become escapes (`render.to_plain`). A
    database that failed is said as `health` says it where it can tell why (read-only: the
    mode and the chmod to type), not in SQLite's words alone."""
    if isinstance(error, CommandError):
        return str(error)
    if isinstance(error, UnknownCategories):
        answer = render.unknown_categories(error.unknown, error.example, PREFIX[COMMAND_LINE])
        return render.to_plain(answer)
    if isinstance(error, UserError):
        return render.to_plain(render.escaped(str(error)))
    if isinstance(error, ConfigError):
        return f"bulletin-bot: configuration: {error}"
    if isinstance(error, DatabaseFailed):  # damaged, read-only, full
        path = Path(context.config.storage.database) if context else None
        checkup = examine(path, integrity=False, busy_timeout=0) if path else None
        if checkup and checkup.problem:
            return f"bulletin-bot: {checkup.problem}"
        return f"bulletin-bot: the database cannot be used: {error}"
    return f"bulletin-bot: {error}"


# A command that prints its outcome logs nothing beside it unless -v asks: what the log would
# say (a source failing, its retries) is in the line it prints. `run` logs warnings, and the
# console errors.
QUIET = logging.CRITICAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bulletin-bot",
        description="The Ukrainian General Staff's daily bulletin of claimed Russian losses.",
    )
    parser.add_argument("--config", type=Path, help="TOML file (default: config.toml if present)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument("--version", action="version", version=f"bulletin-bot {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    def command(
        name: str, handler: Handler, summary: str, logs: int = QUIET
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.set_defaults(command=handler, logs=logs)
        return sub

    command("fetch", fetch, "poll the source once, store what is new, print what changed")
    sub = command("backfill", backfill, "page through the source's history and store it")
    sub.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        help="first day (default: the day after the newest stored)",
    )
    sub.add_argument("--to", dest="date_to", metavar="DATE", help="last day (default: today)")
    sub = command("import", import_files, "import dataset files (paths or URLs)")
    sub.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="russia_losses_equipment.json and/or russia_losses_personnel.json "
        "(default: both, from the dataset's public URLs); and/or Oryx's daily_count_russia.csv",
    )
    sub = command("latest", latest, "print the latest accepted bulletin")
    sub.add_argument("categories", nargs="*", metavar="CATEGORY", help="e.g. tanks artillery")
    sub = command("on", on, "print the bulletin of a past date")
    sub.add_argument("date", nargs="?", metavar="DATE", help=texts.DATE_FORMS)
    sub.add_argument("categories", nargs="*", metavar="CATEGORY", help="e.g. tanks")
    sub.add_argument(
        "--sources", action="store_true", help="also list where each figure came from, and when"
    )
    command("about", about, "what the figures mean, and what they do not")
    sub = command("compare", compare, "the claim beside losses documented with photos (Oryx)")
    sub.add_argument("words", nargs="*", metavar="CATEGORY|DATE", help="e.g. tanks 2025-07-19")
    sub = command("paste", paste, "read a bulletin's text, as an admin's paste in Telegram")
    sub.add_argument("file", nargs="?", type=Path, help="a text file (default: standard input)")
    sub = command("export", export_figures, "the effective figures as CSV or JSON")
    sub.add_argument("words", nargs="*", metavar="[csv|json] [FROM] [TO]")
    sub.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    sub.add_argument("--force", action="store_true", help="replace the file if it exists")
    for admin in admin_commands(COMMAND_LINE):
        sub = command(admin.name, admin_command, admin.summary)
        if admin.arguments:
            sub.add_argument("words", nargs="*", metavar=admin.arguments)
        sub.set_defaults(action=admin, words=[])
    sub = command("run", run, "run the Telegram bot (long polling, or a webhook)", logging.WARNING)
    sub.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long to wait for another bot on the same database to stop (default 30)",
    )
    sub.add_argument(
        "--patience",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to keep trying to reach Telegram at start-up (default 300)",
    )
    sub.add_argument(
        "--webhook",
        metavar="URL",
        help="the public HTTPS URL Telegram posts updates to ([webhook] keys)",
    )
    # The conversation is on the terminal: only errors beside it.
    sub = command(
        "console", console, "chat with the bot in the terminal: no token, no network", logging.ERROR
    )
    sub.add_argument(
        "--as-user", action="store_true", help="be a reader, not the admin at the server"
    )
    sub = command("backup", backup, "copy the database, consistently, even while the bot runs")
    sub.add_argument("path", type=Path, metavar="PATH", help="the backup file to write")
    sub.add_argument("--force", action="store_true", help="replace the file if it exists")
    sub = command("restore", restore, "replace the database with a backup (no bot running)")
    sub.add_argument("path", type=Path, metavar="BACKUP", help="a file made by backup")
    command(
        "health",
        health,
        "exit 0 if the last poll is recent, polls are not failing, and the database is writable",
    )
    parser.set_defaults(command_names=frozenset(commands.choices))
    return parser


Handler = Callable[[Invocation, argparse.Namespace], int | None]


# Commands --------------------------------------------------------------------------------------


def fetch(context: Invocation, args: argparse.Namespace) -> int:
    """The bot's poll, run by hand: a fresh bulletin is queued for the running bot to send."""
    store = context.open_store()

    async def poll() -> PollResult:
        async with make_client() as client:
            return await poll_once(
                store, context.config, client, now=context.clock.now(), today=context.today
            )

    result = asyncio.run(poll())
    if result.error:
        raise CommandError(f"fetch failed: {result.error}")
    _print_outcomes(result.outcomes)
    for name, error in result.failures.items():
        print(f"{name} failed (another source answered): {error}", file=sys.stderr)
    if result.queued:
        print(_plain(render.queued_for(result.queued)))
    if any(
        o.change != Arrival.UNCHANGED and o.status == ReportStatus.ACCEPTED for o in result.outcomes
    ):
        _print_bulletin(store, None, [])
    return 0


def backfill(context: Invocation, args: argparse.Namespace) -> int:
    store = context.open_store()
    newest = store.reports.latest_date()
    date_from = (
        parse_user_date(args.date_from, context.today)
        if args.date_from
        else (newest + timedelta(days=1) if newest else WAR_START)
    )
    date_to = parse_user_date(args.date_to, context.today) if args.date_to else context.today
    if date_from > date_to:
        print(f"Nothing to backfill: stored up to {newest}, asked from {date_from} to {date_to}.")
        return 0

    async def page_through() -> list[Outcome]:
        async with make_client() as client:
            first = context.config.sources[0]
            source = connect(first, client, today=context.today, downloads=store.logs)
            reports = await source.history(date_from, date_to)
        return _store_history(context, store, reports)

    try:
        outcomes = asyncio.run(page_through())
    except SourceError as error:
        raise CommandError(f"backfill failed, nothing stored: {error}") from None
    _print_outcomes(outcomes)
    return 0


def import_files(context: Invocation, args: argparse.Namespace) -> int:
    """The dataset's JSON files (the history), and Oryx's counts (a .csv), from paths or URLs."""
    store = context.open_store(seed=False)  # what is imported is the history
    counts = [path for path in args.paths if path.casefold().endswith(".csv")]
    datasets = [path for path in args.paths if path not in counts]

    async def read_all() -> tuple[list[tuple[str, object]], list[oryx.OryxCounts]]:
        async with make_client() as client:
            locations = datasets or ([] if counts else PUBLIC_URLS)
            files = [(path, await _read_json(path, client)) for path in locations]
            return files, [oryx.OryxCounts.from_csv(await _read_text(p, client), p) for p in counts]

    try:
        files, documented = asyncio.run(read_all())
        reports = reports_from(files)
    except SourceError as error:
        raise CommandError(f"import failed, nothing stored: {error}") from None
    for new in documented:
        rows = store.documented.replace(new.rows())
        print(
            f"Oryx's counts imported (rows: {rows:,}, equipment types: {len(new.types())}, "
            f"to {new.last_date():%Y-%m-%d}); compare uses them from now on"
        )
    if reports:
        _print_outcomes(_store_history(context, store, reports))
    return 0


async def _read_text(location: str, client: httpx.AsyncClient) -> str:
    if location.startswith(("https://", "http://")):
        return await get_text(client, location)
    try:
        return Path(location).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"{location}: cannot read it ({error})") from None


async def _read_json(location: str, client: httpx.AsyncClient) -> object:
    if location.startswith(("https://", "http://")):
        payload, _ = await get_json(client, location)
        return payload
    try:
        return json.loads(Path(location).read_text(encoding="utf-8"))
    except OSError as error:
        raise DatasetError(f"{location}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DatasetError(f"{location}: not a JSON file ({error})") from None


def latest(context: Invocation, args: argparse.Namespace) -> int:
    store = context.open_store(keep=False)
    keys = reading.category_keys(args.categories, store, "latest")
    _print_bulletin(store, None, keys, context)
    return 0


def on(context: Invocation, args: argparse.Namespace) -> int:
    if args.date is None:  # argparse would say "required: DATE, CATEGORY"; CATEGORY is not
        raise CommandError("on: which date? For example: bulletin-bot on 2022-06-25 tanks", 2)
    day = parse_user_date(args.date, context.today)
    store = context.open_store(keep=False)
    keys = reading.category_keys(args.categories, store, "on")
    _print_bulletin(store, day, keys)
    if args.sources:
        found = render.provenance(day, store.reports.revisions(day), store.corrections.log(day))
        print("\n" + _plain(found))
    return 0


def about(context: Invocation, args: argparse.Namespace) -> int:
    """Telegram's /about, which every bulletin's caveat points to, here too."""
    print(_plain(render.about()))
    return 0


def compare(context: Invocation, args: argparse.Namespace) -> int:
    store = context.open_store(keep=False)
    day, words = date_among(args.words, context.today)
    day = day or store.reports.latest_date()
    keys = reading.category_keys(words, store, "compare")
    if day is None:
        raise CommandError(_plain(texts.NO_DATA), 1)
    rows = oryx.compare(store, keys, day)
    print(_plain(render.claimed_and_documented(rows, day)))
    return 0


def paste(context: Invocation, args: argparse.Namespace) -> int:
    """The twin of an admin pasting a bulletin in Telegram: same parser, validation, answer."""
    try:
        text = args.file.read_text(encoding="utf-8") if args.file else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"paste: cannot read {args.file}: {error}", 2) from None
    desk = _desk(context)
    print(_plain(render.parsed(*desk.ingest_text(text))))
    return 0


def export_figures(context: Invocation, args: argparse.Namespace) -> int:
    if args.output:
        _not_the_database("export", args.output, context)
    store = context.open_store(keep=False)
    latest = store.reports.latest_date()
    if latest is None:
        raise CommandError(_plain(texts.NO_DATA))
    fmt, first, last = parse_export(args.words, context.today, latest, prefix=PREFIX[COMMAND_LINE])
    if not args.output:
        sys.stdout.buffer.write(export(store, fmt, first, last).data)
        return 0
    example = Export(fmt, first, last, b"").file_name
    target = _output("export", args.output, example, force=args.force)
    data = export(store, fmt, first, last).data
    _write_privately("export", target, lambda path: path.write_bytes(data))
    return 0


# The admin desk from the server: (command, summary, arguments); the same code as in Telegram.
def _desk(context: Invocation) -> Desk:
    """The admin desk for the operator at the server (audited as cli:LOGIN)."""
    actor = f"cli:{getpass.getuser()}"
    return Desk(context.open_store(), context.config, context.clock, actor, PREFIX[COMMAND_LINE])


def admin_command(context: Invocation, args: argparse.Namespace) -> int:
    """An admin command from the table in bot/admin.py, for the operator at the server."""
    answer = args.action.answer
    print(_plain(answer(_desk(context), list(args.words))))
    return 0


# Writes take milliseconds; a database locked for this long is stuck.
HEALTH_LOCK_SECONDS = 2.0


def health(context: Invocation, args: argparse.Namespace) -> int:
    """For Docker's HEALTHCHECK: is the bot polling and getting the bulletin, and can it
    write? (It never creates a database: a missing one is the answer.)"""
    path = Path(context.config.storage.database)
    if not path.exists():
        raise CommandError(f"unhealthy: there is no database at {path}")
    # What the running bot's heartbeat checks too: a write that really writes, free space,
    # quick_check (a few seconds on a million outbox rows, every 5 minutes in Docker).
    checkup = examine(path, busy_timeout=HEALTH_LOCK_SECONDS)
    if checkup.problem:
        raise CommandError(f"unhealthy: {checkup.problem}")
    try:
        store = Store(path, busy_timeout=HEALTH_LOCK_SECONDS)
    except StoreError as error:
        damaged = any(w in str(error) for w in ("malformed", "not a database"))
        what = "is damaged" if damaged else "cannot be written"
        raise CommandError(f"unhealthy: the database {what}: {error}") from None
    last = store.logs.last_fetch()
    limit = timedelta(minutes=max(3 * context.config.schedule.poll_every_minutes, 30))
    if last is None:
        raise CommandError("unhealthy: the bot has never polled the source")
    age = context.clock.now() - last.at
    if age > limit:
        raise CommandError(f"unhealthy: the last poll was {_ago(age)} ago (limit {_ago(limit)})")
    # A bot that polls and never gets the bulletin is not well either: after as many failed
    # polls as alert the admins, the container shows it (a source outage, a network gone).
    most = context.config.alerts.source_failures
    failed = store.logs.failed_polls_in_a_row(most)
    if failed >= most:
        raise CommandError(
            f"unhealthy: the last {failed} polls failed ([alerts] source_failures = {most}), "
            f"the last {_ago(age)} ago: {last.detail}"
        )
    state = f"failed, {failed} in a row of {most} allowed" if failed else "ok"
    print(f"ok: last poll {_ago(age)} ago ({state}), database writable")
    return 0


def _ago(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def run(context: Invocation, args: argparse.Namespace) -> int:
    """The bot, until SIGTERM. Telegram out of reach at start-up (the network not up yet, a
    DNS hiccup) is tried again with backoff for `--patience` seconds, one log line a try; on
    giving up, the lease is released and the last error said once."""
    from bot.telegram import app  # the Telegram stack loads only for the commands that use it

    config = context.config
    if not config.telegram.token:
        raise CommandError(texts.NO_TOKEN, 2)
    if args.webhook and not config.webhook.secret_token:
        raise CommandError(texts.NO_WEBHOOK_SECRET, 2)
    store = context.open_store()
    try:
        return _run(context, args, store, app)
    finally:
        # Closed, SQLite checkpoints the -wal into the file and deletes it: a stopped bot leaves
        # no -wal for a file put in the database's place to meet (unless the file was replaced
        # while it ran: then SQLite leaves the -wal, which the heartbeat emptied).
        store.close()


def _run(context: Invocation, args: argparse.Namespace, store: Store, app: ModuleType) -> int:
    """`run`'s tries, on the store it opened."""
    config = context.config
    lease = instance.me(context.clock)
    waited, delay, tries = 0.0, START_FIRST_DELAY, 0
    while True:
        tries += 1
        try:  # taken again after a failed try (whose shutdown released it)
            instance.acquire(store, lease, context.clock, wait=args.wait if tries == 1 else 0)
        except instance.InstanceError as error:
            raise CommandError(str(error)) from None
        if tries == 1:
            app.serve_metrics(config)
        services = app.Services(config, store, context.clock, lease=lease)
        try:
            app.run(services, webhook_url=args.webhook)
            break
        except app.StartFailed as error:
            store.lease.drop(lease.holder)
            if not error.unreachable or waited >= args.patience:
                tried = f" (tried {tries} times over {waited:.0f} s)" if tries > 1 else ""
                raise CommandError(f"{error}{tried}", error.status) from None
            pause = min(delay, args.patience - waited)  # the last try at the end of patience
            log.warning(
                "Telegram out of reach at start-up (try %d): %s; trying again in %.0f s "
                "(for up to %.0f s)",
                tries,
                str(error).removeprefix("could not start: "),
                pause,
                args.patience,
            )
        if not _sleep_unless_stopped(pause):
            raise CommandError("not started: stopped while Telegram was out of reach")
        waited, delay = waited + pause, min(2 * delay, START_LONGEST_DELAY)
    if services.fatal:
        raise CommandError(f"stopped: {services.fatal}")
    return 0


# Start-up tries: 1, 2, 4, ... seconds apart, at most 30.
START_FIRST_DELAY, START_LONGEST_DELAY = 1.0, 30.0


def _sleep_unless_stopped(seconds: float) -> bool:
    """Sleep; False if SIGTERM or Ctrl-C came meanwhile (`docker stop` while waiting for
    Telegram: without this, SIGTERM's default action killed the process on the spot)."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        time.sleep(seconds)
    except KeyboardInterrupt:
        return False
    finally:
        signal.signal(signal.SIGTERM, previous)
    return True


def backup(context: Invocation, args: argparse.Namespace) -> int:
    path = Path(context.config.storage.database)
    _not_the_database("backup", args.path, context)
    if not path.exists():
        raise CommandError(f"there is no database at {path} to back up")
    target = _output("backup", args.path, f"bulletin-{context.today}.db", force=args.force)
    for journal in _sqlite_files(target)[1:]:
        if journal.exists():  # SQLite would apply it to the backup put in its place
            raise CommandError(
                f"backup: not written: {journal} exists, so {args.path} is a database in use "
                "(or one not closed cleanly): name another file",
                2,
            )
    store = Store(path)
    try:
        _write_privately("backup", target, store.backup_to)
    except StoreError as error:
        raise CommandError(f"backup failed, nothing written: {error}") from None
    size = target.stat().st_size
    print(f"backed up {path} to {args.path} ({size / 1_000_000:.1f} MB)")
    return 0


def restore(context: Invocation, args: argparse.Namespace) -> int:
    """Only while no bot or console runs on the database (each holds its lease): a running one
    would go on from what it holds in memory and its messages in flight, not from the
    backup."""
    if not args.path.is_file():
        raise CommandError(f"there is no backup at {args.path}", 2)
    if _is_database_file(args.path, context):
        raise CommandError(
            f"not restored: {args.path} is the database itself (or one of its files): "
            "name a backup file made by bulletin-bot backup",
            2,
        )
    store = context.open_store(seed=False, replacing=True)
    lease = instance.me(context.clock)
    try:
        instance.acquire(store, lease, context.clock, wait=0)
    except instance.InstanceError as error:
        raise CommandError(f"not restored: {error}") from None
    try:
        store.restore_from(args.path)
    except StoreError as error:
        raise CommandError(f"not restored: {error}") from None
    finally:
        store.lease.drop(lease.holder)
    first, last, days = store.reports.date_range()
    active = store.subscribers.counts().get(SubscriberStatus.ACTIVE, 0)
    print(f"restored {args.path}: {days} days ({first} to {last}), {active} active subscribers")
    return 0


def console(context: Invocation, args: argparse.Namespace) -> int:
    from bot.telegram import console as terminal
    from bot.telegram.services import Services

    store = context.open_store()
    # The console answers as the bot does, from the same database: while a bot runs on it, the
    # two would share the outbox and every reader's rows. It holds the lease as `run` does, so
    # neither a bot nor a `restore` starts under it.
    lease = instance.me(context.clock)
    try:
        instance.acquire(store, lease, context.clock, wait=0)
    except instance.InstanceError as error:
        raise CommandError(
            f"console not started: {error} To try the bot beside it, run the console on a "
            "copy: bulletin-bot backup COPY.db, then a config whose [storage] database is "
            "COPY.db (bulletin-bot --config COPY.toml console)."
        ) from None
    services = Services(context.config, store, context.clock, lease=lease)
    try:
        status = terminal.main(services, as_admin=not args.as_user)
    finally:
        store.lease.drop(lease.holder)
    if services.fatal:
        raise CommandError(f"console stopped: {services.fatal}")
    return status


# Files the operator's commands write -----------------------------------------------------------


def _marker(database: Path) -> Path:
    """The file beside a database saying when it was created (see `Invocation.open_store`)."""
    return database.with_name(database.name + ".created")


def _refuse_if_gone(path: Path) -> None:
    """Refuse a missing database that was there (its marker says when it was made)."""
    marker = _marker(path)
    if not path.exists() and marker.exists():
        raise CommandError(
            f"the database {path} is gone, but one was created there "
            f"({marker.read_text().strip()}): restore it from a backup "
            f"(bulletin-bot restore BACKUP), mount the right volume, or delete {marker} "
            "to start afresh with no subscribers"
        )


def _sqlite_files(database: Path) -> tuple[Path, ...]:
    """A database file and the files SQLite keeps beside it."""
    return (
        database,
        *(database.with_name(database.name + e) for e in ("-wal", "-shm", "-journal")),
    )


def _is_database_file(path: Path, context: Invocation) -> bool:
    """Whether `path` is the configured database or one of its files (SQLite's, the marker),
    under any name: as configured, through symbolic links, or as a hard link."""
    database = Path(context.config.storage.database)
    files = {
        name
        for base in (database.absolute(), database.resolve())
        for name in (*_sqlite_files(base), _marker(base), beside(base, OWNER))
    }
    if path.absolute() in files or path.resolve() in files:
        return True
    with contextlib.suppress(OSError):  # a file that does not exist is no hard link
        same = (path.stat().st_dev, path.stat().st_ino)
        return any((f.stat().st_dev, f.stat().st_ino) == same for f in files if f.exists())
    return False


def _not_the_database(command: str, path: Path, context: Invocation) -> None:
    """Refuse to write onto the database: a CSV or a backup in its place destroys it."""
    if _is_database_file(path, context):
        raise CommandError(
            f"{command}: not written: {path} is the database {context.config.storage.database} "
            "(or one of its files): name another file",
            2,
        )


def _output(command: str, path: Path, example: str, *, force: bool) -> Path:
    """Where to write the file the operator named (symbolic links followed): never over a
    file that exists unless `force`, never over a folder. Call `_not_the_database` first."""
    if path.is_dir():
        raise CommandError(
            f"{command}: not written: {path} is a folder: name a file in it, e.g. "
            f"{'-o ' if command == 'export' else ''}{path / example}",
            2,
        )
    if path.exists() and not force:
        raise CommandError(
            f"{command}: not written: {path} already exists: name a new file, or add --force "
            "to replace it",
            2,
        )
    return path.resolve()


def _write_privately(command: str, target: Path, fill: Callable[[Path], object]) -> None:
    """Write `target` through a new file beside it, readable by the owner alone from its
    creation (mkstemp makes it 0600; a chmod after writing would leave a moment when it is
    not: a backup holds every subscriber's id and what people typed), then put it in the
    target's place in one step: an interrupted write leaves no half file, and a file that
    was there stays whole until the new one is complete."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise CommandError(f"{command}: not written: {target.parent}: {error.strerror}") from None
    os.close(handle)
    written = Path(name)
    try:
        fill(written)
        os.replace(written, target)
    except OSError as error:
        raise CommandError(f"{command}: not written: {target}: {error.strerror}") from None
    finally:
        written.unlink(missing_ok=True)


# Helpers ---------------------------------------------------------------------------------------


def _store_history(context: Invocation, store: Store, reports: list[Report]) -> list[Outcome]:
    """Backfilled or imported days: accepted with their notes (a suspicious revision of a
    stored day is held), then errata for a revised bulletin people got; never a day's bulletin,
    which only the running bot's polls bring as news."""
    now = context.clock.now()
    outcomes = ingest(store, reports, now=now, today=context.today, hold_suspicious=False)
    alert_held(store, context.config, outcomes, now=now)
    publish_outcomes(
        store,
        outcomes,
        now=now,
        today=context.today,
        home_zone=context.config.schedule.timezone,
        news=False,
    )
    return outcomes


def _print_bulletin(
    store: Store, day: date | None, keys: list[str], context: Invocation | None = None
) -> None:
    """A day's bulletin; the latest (no `day`) says how old it is when that needs saying."""
    view = bulletin_on(store, day)
    if view is None:
        if day is None:
            raise CommandError(_plain(texts.NO_DATA))
        raise CommandError(_plain(render.no_report_on(day, store.reports.latest_date(day))))
    note = None
    if day is None and context is not None:
        note = reading.age_note(store, context.config.schedule, context.clock.now())
    print(_plain(render.with_age(render.bulletin(view, keys), note)))


def _print_outcomes(outcomes: list[Outcome]) -> None:
    """One summary line, then only what needs a reader: each day held or accepted with notes,
    with its findings."""
    print(tally_line(outcomes))
    for outcome in outcomes:
        if outcome.findings:
            print(f"{outcome.date}: {outcome.change}, {outcome.status}")
            for finding in outcome.findings:
                print(f"  - {finding.detail}")


# A Telegram command named in a message: "/corrections lists them", "… verified. /about". Not
# a path ("/data/x", "a/b") nor a URL's ("https://…/posts").
_TELEGRAM_COMMAND = re.compile(r"(?<![\w/.~-])/([a-z]+)\b")


def _plain(text: str) -> str:
    """A reply as the terminal shows it: Telegram HTML as plain text (`render.to_plain`), and
    each Telegram command it names that the command line has too, as the command line's
    ("... not independently verified. /about" -> "... bulletin-bot about"). Replies are written
    once, for Telegram; at the server the operator types the command line's commands. (A
    refusal, which says what to type, is told the command line's spelling instead: PREFIX.)"""
    names = _command_names()
    return _TELEGRAM_COMMAND.sub(
        lambda found: f"bulletin-bot {found[1]}" if found[1] in names else found[0],
        render.to_plain(text),
    )


@functools.cache
def _command_names() -> frozenset[str]:
    names: frozenset[str] = _parser().get_default("command_names")
    return names
