"""Issue 29's round-two changes (notices queued a chunk at a time, the TEMP-table join, the
pace counting answers, the stand-in's unread answers) tried as an admin with a typo, an
operator, a subscriber and an attacker would. Three were findings, each failing before its fix:
a group that became a supergroup between two chunks of a notice (notices now go from the
highest chat id down), a second correction racing the queueing process's stale row (a chunk
reads its broadcast once it holds the write lock), and /fetch counting errata to every
subscriber; the fourth held up (a correction on the command line finished by the running
bot)."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot import render, subscriptions
from bot.store import DeliveryResult, DeliveryStatus, OutboxKind, Shape, Store
from bot.subscriptions import notice, queue_broadcasts
from bot.telegram.jobs import poll_now
from tests.bot_harness import command, environment, write_config
from tests.conftest import NOW
from tests.fake_bot_api import LocalBotApi
from tests.faults.test_kill import bot_config, bulletin_bot, todays_bulletin, with_subscribers
from tests.test_bot_admin import admin, drain
from tests.test_shape import GROUP_ADMIN

NEW_DAY = date(2026, 8, 8)


def texts_to(bot, chat_id: int) -> list[str]:
    return [render.to_plain(m.text or "") for m in bot.api.messages_to(chat_id)]


def corrections_to(bot, chat_id: int) -> list[str]:
    return [t for t in texts_to(bot, chat_id) if t.startswith(("Correction to", "Виправлення до"))]


async def subscribe_group(bot, chat_id: int, words: str = "") -> None:
    asked = {"chat_id": chat_id, "chat_type": "group", "user_id": GROUP_ADMIN}
    bot.api.chat_admins.setdefault(chat_id, set()).add(GROUP_ADMIN)
    await bot.ask(f"/subscribe {words}".strip(), **asked)


async def test_a_group_that_migrates_between_two_chunks_of_a_notice_is_still_told(bot, monkeypatch):
    """Chunks go in chat id order, and a supergroup's id (-100...) is below its group's: a
    chunk boundary between the two ids, and the move learned between the chunks (from any
    message sent to the group meanwhile: delivery calls `move_chat` on Telegram's "migrated"
    answer, as here), and the group's shown rows are moved to a range already queued."""
    monkeypatch.setattr(subscriptions, "CHUNK", 1)
    old, new, other = -4291, -1004291, -500_000  # new < other < old
    await subscribe_group(bot, old)
    await subscribe_group(bot, other)
    await poll_now(bot.services)
    await drain(bot)
    reply = await admin(bot, "/correct 2026-08-08 tanks 12250 typo in the source")
    assert "being queued as messages go out" in reply  # the first chunk queued, the rest to come
    bot.store.subscribers.move_chat(old, new, now=bot.clock.now())
    await drain(bot)
    assert len(corrections_to(bot, other)) == 1
    assert len(corrections_to(bot, new) + corrections_to(bot, old)) == 1


def shown_the_bulletin(store: Store, chats: dict[int, tuple[str, ...]]) -> None:
    """Each chat subscribed following its categories (none: all), and sent the bulletin of
    NEW_DAY."""
    now = NOW
    for chat, followed in chats.items():
        store.subscribers.subscribe(
            chat,
            "private",
            send_at=None,
            timezone="Europe/Kyiv",
            now=now,
            shape=Shape(categories=followed),
        )
    store.outbox.enqueue((chat, OutboxKind.BULLETIN, NEW_DAY.isoformat(), now) for chat in chats)
    claimed = store.outbox.claim_due(now, len(chats))
    store.outbox.finish([DeliveryResult(c.id, DeliveryStatus.SENT) for c in claimed], now=now)


def notices_queued(store: Store) -> dict[int, int]:
    rows = store.db.execute(
        "SELECT chat_id, COUNT(*) FROM outbox WHERE kind = ? GROUP BY chat_id",
        [OutboxKind.CORRECTION],
    ).fetchall()
    return dict(rows)


def test_a_second_correction_while_the_first_is_being_queued_reaches_everyone_it_concerns(
    history_store, monkeypatch
):
    """Tanks corrected (a notice queued a chunk at a time), then, in the same batch, aircraft:
    the notice starts again from the first chat with both categories. Meanwhile the queueing
    process (bot/queueing.py, a connection of its own) has read the broadcast and waits for
    the write lock the admin's command holds: `queue_broadcasts` as the process runs it, in a
    thread with its own Store, while the bot's connection holds the lock."""
    monkeypatch.setattr(subscriptions, "CHUNK", 2)
    store = history_store
    aircraft = ("aircraft",)
    # Chunks of two chats: (…, 2], (2, 4], (4, 6], (6, …). Chats 3 and 5 follow aircraft alone.
    shown_the_bulletin(store, {1: (), 2: (), 3: aircraft, 4: (), 5: aircraft, 6: ()})
    subject = f"{NEW_DAY.isoformat()}@{NOW.isoformat(timespec='seconds')}"
    due = NOW + timedelta(minutes=10)
    notice(store, OutboxKind.CORRECTION, subject, due=due, categories=["tanks"])
    queue_broadcasts(store, chunks=1)  # the process queued (2, 4]: after = 4

    def the_queueing_process() -> None:
        own = Store(store.path)
        try:
            queue_broadcasts(own, chunks=1)
        finally:
            own.close()

    process = threading.Thread(target=the_queueing_process)
    with store.transaction():  # the admin's /correct aircraft
        process.start()
        time.sleep(1.0)  # it has read the broadcast (after = 4), and waits for the lock
        notice(store, OutboxKind.CORRECTION, subject, due=due, categories=["aircraft"])
    process.join()
    queue_broadcasts(store)  # whatever is left, as delivery queues it
    assert notices_queued(store) == {chat: 1 for chat in range(1, 7)}


async def test_fetch_counts_only_the_chats_a_revision_of_a_past_day_reaches(
    bot, fake_api, monkeypatch
):
    """The source revises 7 August (not news on the 8th: errata only, to the three chats that
    were sent it); three chats that subscribed since were never shown it. The admin's /fetch
    says how many the poll's messages go to."""
    shown_7th = [701, 702, 703]
    for chat in [*shown_7th, 704, 705, 706]:
        await bot.ask("/subscribe", chat_id=chat)
    store = bot.store
    store.outbox.enqueue((chat, OutboxKind.BULLETIN, "2026-08-07", NOW) for chat in shown_7th)
    claimed = [d for d in store.outbox.claim_due(NOW, 100) if d.subject == "2026-08-07"]
    store.outbox.finish([DeliveryResult(d.id, DeliveryStatus.SENT) for d in claimed], now=NOW)
    await poll_now(bot.services)  # the 8th: everyone gets it
    await drain(bot)
    fake_api.api.set_total(date(2026, 8, 7), "tanks", 12249)  # 12,247 before; 12,251 the 8th
    reply = await admin(bot, "/fetch")
    assert "Queued for 3 subscribers." in reply, reply
    await drain(bot)
    for chat in shown_7th:
        assert any("7 August 2026 was revised" in t for t in texts_to(bot, chat)), chat


def corrections_by_chat(path: Path) -> dict[int, int]:
    """How many correction notices the outbox holds for each chat (a reader's connection)."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT chat_id, COUNT(*) FROM outbox WHERE kind = 'correction' GROUP BY chat_id"
        ).fetchall()
    finally:
        connection.close()
    return dict(rows)


def test_a_correction_on_the_command_line_is_queued_to_the_end_by_the_running_bot(
    tmp_path, fake_api
):
    """An operator corrects today's figure with `bulletin-bot correct` on a bot of more than
    a chunk of subscribers, all shown today's bulletin: the command queues the first chunk and
    says more are coming; `bulletin-bot run`, started then, queues the rest: every chat once."""
    chats = subscriptions.CHUNK + 500
    with_subscribers(tmp_path / "bulletin.db", chats, queued=True)
    store = Store(tmp_path / "bulletin.db")
    now = datetime.now(UTC)
    today = todays_bulletin(store, now)
    while claimed := store.outbox.claim_due(now + timedelta(days=1), 1000):
        store.outbox.finish([DeliveryResult(d.id, DeliveryStatus.SENT) for d in claimed], now=now)
    tanks = store.reports.on(today).totals["tanks"]
    store.close()

    config = write_config(tmp_path, f'[storage]\ndatabase = "{tmp_path / "bulletin.db"}"\n')
    typed = ("correct", today.isoformat(), "tanks", str(tanks + 1), "typo")
    process = subprocess.run(
        command(*typed, config=config),
        cwd=tmp_path,
        env=environment(None),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert "Notices to those shown that figure are being queued as messages go out." in (
        process.stdout
    ), process.stdout

    api = LocalBotApi()
    with (
        api.serve() as server,
        bulletin_bot(tmp_path, "run", config=bot_config(server, fake_api)) as bot,
    ):
        deadline = time.monotonic() + 90  # a ceiling for a loaded machine
        while len(counts := corrections_by_chat(tmp_path / "bulletin.db")) < chats:
            assert time.monotonic() < deadline, f"{len(counts)} of {chats} queued"
            time.sleep(0.5)
        bot.stop()
    assert counts == {chat: 1 for chat in range(1, chats + 1)}
