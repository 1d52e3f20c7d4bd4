"""SIGKILL at random points of an import and of a broadcast, 20 times each (ROUNDS), then a
restart.

After every kill: the database passes PRAGMA integrity_check, no report is half-stored, and
every delivery ends sent exactly once, except at most the batch in flight at the kill.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.dates import day_of_war
from bot.store import Store
from bot.subscriptions import enqueue_bulletin
from bot.telegram.delivery import WINDOW
from tests.bot_harness import BulletinBot, write_config
from tests.fake_bot_api import LocalBotApi
from tests.fake_statistics_api import DATASET
from tests.faults import rounds

ROUNDS = rounds(20)  # BULLETIN_BOT_FAULT_ROUNDS sets it (tests/faults/__init__.py)
FILES = [
    str(DATASET / "russia_losses_equipment.json"),
    str(DATASET / "russia_losses_personnel.json"),
]


def bulletin_bot(tmp_path: Path, *args: str, config: str = "") -> BulletinBot:
    """`bulletin-bot ARGS` on the folder's database, with these config lines (written to the
    folder's config.toml); its log a pipe, its output dropped."""
    database = f'[storage]\ndatabase = "{tmp_path / "bulletin.db"}"\n'
    path = write_config(tmp_path, database + config)
    return BulletinBot(
        tmp_path, *args, config=path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )


def bot_config(server, fake_api, rate: int | None = None) -> str:
    """The config lines of a bot talking to these stand-ins (at `rate` messages a second)."""
    text = f'[telegram]\napi_base_url = "{server.base_url}"\n[source]\nurl = "{fake_api.url}"\n'
    # Above 30 a second Telegram wants paid broadcasts.
    delivery = f"[delivery]\nrate_per_second = {rate}\npaid_broadcast = true\n"
    return text + (delivery if rate else "")


def check_database(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if "reports" not in tables:  # killed before the first migration committed: empty
        connection.execute("CREATE TEMP TABLE reports (id INTEGER)")
        connection.execute("CREATE TEMP TABLE figures (report_id INTEGER)")
    half_stored = connection.execute(
        "SELECT COUNT(*) FROM reports r WHERE NOT EXISTS "
        "(SELECT 1 FROM figures f WHERE f.report_id = r.id)"
    ).fetchone()[0]
    assert half_stored == 0
    return connection


def test_killed_during_import_never_leaves_half_a_history(tmp_path):
    rng = random.Random(20261124)
    for round_ in range(ROUNDS):
        folder = tmp_path / str(round_)
        folder.mkdir()
        process = bulletin_bot(folder, "import", *FILES)
        time.sleep(rng.uniform(0.05, 1.2))  # a random point of start-up, migration or import
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        database = folder / "bulletin.db"
        if database.exists():
            with check_database(database) as connection:
                count = connection.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
            assert count in (0, 1626), f"round {round_}: {count} reports"
        # Restarted, the import completes.
        assert bulletin_bot(folder, "import", *FILES).wait(timeout=120) == 0
        with check_database(database) as connection:
            assert connection.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 1626


def with_subscribers(path: Path, count: int, *, queued: bool) -> None:
    """Give the database at `path` the bundled history (if it has none) and `count`
    subscribers, with the latest bulletin queued for all of them if `queued`."""
    from bot.ingest import seed_if_empty

    store = Store(path)
    now = datetime.now(UTC)
    seed_if_empty(store, now=now, today=now.date())
    for chat_id in range(1, count + 1):
        store.subscribers.subscribe(
            chat_id, "private", send_at=None, timezone="Europe/Kyiv", now=now
        )
    if queued:
        enqueue_bulletin(store, todays_bulletin(store, now), now=now)
    store.close()


def todays_bulletin(store: Store, now: datetime) -> date:
    """Store a bulletin dated today, the newest day's figures each one higher, and return its
    date. The bots these tests start run on the real clock, and only the day's bulletin is
    news: one queued from the bundled history (August 2026) would be skipped as too late."""
    from bot.ingest import ingest
    from bot.report import Report

    today = now.astimezone(ZoneInfo("Europe/Kyiv")).date()
    newest = store.reports.on(store.reports.latest_date())
    if newest.date < today:
        totals = {key: total + 1 for key, total in newest.totals.items()}
        report = Report(date=today, source="api", totals=totals, raw="{}")
        ingest(store, [report], now=now, today=today, hold_suspicious=False)
    return today


@pytest.fixture
def prepared(tmp_path):
    """A database with the history and 150 subscribers, ready for a broadcast."""
    with_subscribers(tmp_path / "template.db", 150, queued=False)
    return tmp_path / "template.db"


def test_killed_during_a_broadcast_loses_nothing_and_repeats_only_what_was_in_flight(
    tmp_path, prepared, fake_api
):
    rng = random.Random(42)
    mid_broadcast = repeats = 0
    api = LocalBotApi()
    api.faults.delay = 0.002
    with api.serve() as server:
        config = bot_config(server, fake_api, rate=100)
        for round_ in range(ROUNDS):
            folder = tmp_path / str(round_)
            folder.mkdir()
            database = folder / "bulletin.db"
            database.write_bytes(prepared.read_bytes())
            store = Store(database)
            now = datetime.now(UTC)
            today = todays_bulletin(store, now)
            enqueue_bulletin(store, today, now=now)
            store.close()
            first_message = len(api.sent)

            process = bulletin_bot(folder, "run", config=config)
            assert api.wait_for(lambda start=first_message: len(api.sent) > start, timeout=60)
            time.sleep(rng.uniform(0.0, 1.2))  # a random point of the 1.5 s broadcast
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            sent_at_kill = len({m.chat_id for m in api.sent[first_message:]})
            mid_broadcast += 0 < sent_at_kill < 150
            with check_database(database) as connection:
                in_flight = connection.execute(
                    "SELECT COUNT(*) FROM outbox WHERE status = 'sending'"
                ).fetchone()[0]
            assert in_flight <= WINDOW

            process = bulletin_bot(folder, "run", config=config)
            try:
                done = _eventually(lambda database=database: _pending(database) == 0, 60)
            finally:  # killed again: the next round checks the database afresh anyway
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
            assert done, f"round {round_}: still pending"
            day_line = f"day {day_of_war(today)}"
            got = Counter(m.chat_id for m in api.sent[first_message:] if day_line in m.text)
            assert set(got) == set(range(1, 151)), f"round {round_}: lost messages"
            assert all(m.paid for m in api.sent[first_message:])  # the config's paid_broadcast
            repeated = sum(count - 1 for count in got.values())
            repeats += repeated
            assert repeated <= in_flight, (
                f"round {round_}: {repeated} repeats, {in_flight} in flight"
            )
            with check_database(database) as connection:
                statuses = dict(
                    connection.execute(
                        "SELECT status, COUNT(*) FROM outbox GROUP BY status"
                    ).fetchall()
                )
            assert statuses == {"sent": 150}
    print(
        f"{ROUNDS} kills, {mid_broadcast} mid-broadcast; {ROUNDS * 150} messages due, "
        f"none lost, {repeats} sent twice (all of them in flight at a kill)"
    )
    assert mid_broadcast >= ROUNDS // 4, f"only {mid_broadcast} kills landed mid-broadcast"


def _eventually(condition, timeout: float) -> bool:
    """Poll a condition on the database (which the stand-in cannot see change)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _pending(database: Path) -> int:
    try:
        with sqlite3.connect(database, timeout=1) as connection:
            return connection.execute(
                "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
            ).fetchone()[0]
    except sqlite3.OperationalError:
        return -1
