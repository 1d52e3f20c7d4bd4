"""Shared fixtures: a real SQLite file, the real dataset, and the fake API on loopback."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from bot import texts
from bot.config import Config, SourceConfig
from bot.ingest import Outcome, ingest
from bot.poll import poll_once
from bot.report import Report
from bot.sources.api import StatisticsApi
from bot.sources.dataset import reports_from
from bot.sources.http import SourceError, make_client
from bot.store import Store
from tests.fake_statistics_api import DATASET, FakeStatisticsApi, Server, api_records

pytest_plugins = ["tests.bot_harness"]

# The dataset ends on 2026-08-08; tests live on that morning.
TODAY = date(2026, 8, 8)
NOW = datetime(2026, 8, 8, 6, 30, tzinfo=UTC)
# The store starts with history up to here; the fake API has the days after it.
STORED_UNTIL = date(2026, 8, 7)

# Speed is measured in bench/, never in a test: a CI machine's pause is no failure.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")


@pytest.fixture(autouse=True)
def root_logger_as_it_was() -> Iterator[None]:
    """A command-line test runs `main`, which sets the root logger up for a terminal (its
    handler, and CRITICAL for a quiet command): put it back, so that what a later test logs
    still reaches its caplog whatever order the tests run in."""
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


class RecordingSleep:
    """Stands in for asyncio.sleep in retries: records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture(scope="session")
def dataset_reports() -> list[Report]:
    files = [
        (name, json.loads((DATASET / name).read_text()))
        for name in ("russia_losses_equipment.json", "russia_losses_personnel.json")
    ]
    return reports_from(files)


@pytest.fixture
def speak() -> Iterator[Callable[[str], None]]:
    """`speak("uk")`: the language the test's texts come in; English again after the test."""
    yield texts.set_language
    texts.set_language(None)


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    store = Store(tmp_path / "bulletin.db")
    yield store
    store.close()


@pytest.fixture(scope="session")
def history_file(tmp_path_factory, dataset_reports: list[Report]) -> Path:
    """A database file with the real history up to STORED_UNTIL, built once per session."""
    path = tmp_path_factory.mktemp("history") / "bulletin.db"
    store = Store(path)
    ingest(
        store,
        [r for r in dataset_reports if r.date <= STORED_UNTIL],
        now=NOW,
        today=TODAY,
        hold_suspicious=False,
    )
    store.close()  # checkpoints the WAL into the file
    return path


@pytest.fixture
def history_store(tmp_path, history_file: Path) -> Iterator[Store]:
    """A store of its own for each test, holding the real history up to STORED_UNTIL."""
    path = tmp_path / "history.db"
    shutil.copyfile(history_file, path)
    store = Store(path)
    yield store
    store.close()


@pytest.fixture
def fake_api() -> Iterator[Server]:
    with Server(FakeStatisticsApi(api_records(since=date(2026, 5, 1)))) as server:
        yield server


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def api(fake_api: Server, sleep: RecordingSleep):
    async with make_client() as client:
        yield StatisticsApi(fake_api.url, client, today=TODAY, sleep=sleep)


async def fetch_latest(
    store: Store, api: StatisticsApi, *, now: datetime, today: date
) -> list[Outcome]:
    """One poll of this API alone, as the bot does it; SourceError when it fails."""
    config = Config(sources=(SourceConfig("api", api.url),))
    result = await poll_once(store, config, api.client, now=now, today=today, sleep=api.sleep)
    if result.error:
        raise SourceError(result.error)
    return result.outcomes


def outbox_counts(store: Store) -> dict[str, int]:
    """Every outbox row by status: what the tests look at after a delivery round."""
    rows = store.db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status")
    return dict(rows.fetchall())


def damage_table(path, table: str) -> None:
    """Overwrite the first page of `table` with noise: the file opens, that table cannot be read."""
    connection = sqlite3.connect(path)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = ?", [table]
    ).fetchone()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    with open(path, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * page_size)
