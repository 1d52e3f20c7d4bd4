"""The outbox pruned (bot/prune.py) and its counts kept (issue 29): a finished message goes
once its bulletin is no longer news, what notices need of it stays (who was sent which day's
figures, bot/store/shown.py), and the counts /stats and delivery read are kept by triggers
rather than counted by a scan."""

from __future__ import annotations

import random
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import render, subscriptions
from bot.prune import kept_since, prune
from bot.store import DeliveryResult, DeliveryStatus, OutboxKind, Store, SubscriberStatus
from bot.store.schema import MIGRATIONS
from bot.telegram.jobs import poll_now, prune_now
from tests.bot_harness import ADMIN
from tests.conftest import NOW
from tests.test_bot_admin import admin, drain
from tests.test_cli import run, run_on_history  # noqa: F401  (fixtures used below)
from tests.test_doors import notices_to

KYIV = ZoneInfo("Europe/Kyiv")
NEW_DAY = date(2026, 8, 8)  # the fake API's latest: the bulletin the bot fixture's poll sends
STATES = {"pending": "pending", "sending": "pending", "sent": "sent", "failed": "failed"}


def outbox_rows(store: Store) -> list[tuple]:
    return store.db.execute(
        "SELECT chat_id, kind, subject, status FROM outbox ORDER BY chat_id, kind, subject"
    ).fetchall()


# Counts kept by triggers -------------------------------------------------------------------


def languages_by_scan(store: Store) -> dict[str, int]:
    rows = store.db.execute(
        "SELECT COALESCE(c.language, 'en'), COUNT(*) FROM subscribers s "
        "LEFT JOIN chats c USING (chat_id) WHERE s.status = 'active' GROUP BY 1"
    )
    return dict(rows.fetchall())


def outbox_by_scan(
    store: Store, since: datetime, gone: list[tuple[str, str]] = ()
) -> dict[str, int]:
    """Messages due since `since` by state ('pending' while waiting or in flight), and those
    finished whose rows went (`gone`: status, due), which stay counted."""
    counts: dict[str, int] = {}
    for status, due in [*store.db.execute("SELECT status, due_at FROM outbox"), *gone]:
        if datetime.fromisoformat(due) >= since:
            state = STATES.get(status, status)
            counts[state] = counts.get(state, 0) + 1
    return counts


def pending_by_scan(store: Store) -> int:
    return int(
        store.db.execute(
            "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
        ).fetchone()[0]
    )


def assert_counts_as_scanned(store: Store, gone: list[tuple[str, str]] = ()) -> None:
    assert store.subscribers.languages() == languages_by_scan(store)
    assert store.outbox.pending_count() == pending_by_scan(store)
    for since in (
        datetime(2026, 8, 8, tzinfo=KYIV),  # Kyiv's midnight: 21:00 UTC the day before
        datetime(2026, 8, 8, tzinfo=UTC),
        datetime(2026, 8, 7, 5, 45, tzinfo=ZoneInfo("Asia/Kathmandu")),  # +05:45
        NOW,
    ):
        assert store.outbox.counts_since(since) == outbox_by_scan(store, since, gone), since


@pytest.mark.parametrize("seed", range(3))
def test_the_counts_stats_reads_stay_what_a_scan_counts_through_every_change(store, seed):
    """Subscribing, leaving, blocking, moving to a supergroup, forgetting a chat, a chat's
    language chosen or guessed; messages queued, claimed, sent, failed, skipped, retried later
    and released after a crash: after each, the kept counts equal a count of the rows (and of
    the finished messages of a chat forgotten, which stay counted, as pruned ones do)."""
    rng = random.Random(seed)
    gone: list[tuple[str, str]] = []
    chats = [*range(1, 13), -100_001, -100_002]
    statuses = list(SubscriberStatus)
    kinds = [OutboxKind.BULLETIN, OutboxKind.CARD, OutboxKind.MILESTONE, OutboxKind.ALERT]
    for step in range(300):
        chat = rng.choice(chats)
        now = NOW + timedelta(minutes=step)
        action = rng.randrange(9)
        if action == 0:
            store.subscribers.subscribe(
                chat, "private", send_at=None, timezone="Europe/Kyiv", now=now
            )
        elif action == 1:
            store.subscribers.set_status(chat, rng.choice(statuses), now=now)
        elif action == 2:
            store.subscribers.set_chat_language(
                chat, rng.choice(["en", "uk"]), chosen=rng.random() < 0.5, now=now
            )
        elif action == 3:
            store.subscribers.move_chat(chat, rng.choice(chats), now=now)
        elif action == 4 and rng.random() < 0.3:
            gone += store.db.execute(
                "SELECT status, due_at FROM outbox WHERE chat_id = ? "
                "AND status NOT IN ('pending', 'sending')",
                [chat],
            ).fetchall()
            store.subscribers.forget_chat(chat)
        elif action in (5, 6):
            # Due anywhere from two days before to a day after, some in Kyiv's offset.
            due = NOW + timedelta(minutes=rng.randrange(-2880, 1440, 7))
            zone = rng.choice([UTC, KYIV])
            subject = f"2026-08-0{rng.randrange(6, 9)}"
            store.outbox.enqueue([(chat, rng.choice(kinds), subject, due.astimezone(zone))])
        elif action == 7:
            claimed = store.outbox.claim_due(NOW + timedelta(days=2), rng.randrange(1, 5))
            outcomes = [DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED]
            results = [
                DeliveryResult(d.id, rng.choice(outcomes))
                if rng.random() < 0.7
                else DeliveryResult(
                    d.id, DeliveryStatus.PENDING, due_at=now + timedelta(minutes=rng.randrange(60))
                )
                for d in claimed
                if rng.random() < 0.8  # the rest stay in flight
            ]
            store.outbox.finish(results, now=now)
        else:
            store.outbox.release_in_flight()
        assert_counts_as_scanned(store, gone)


def test_a_database_from_before_the_counts_starts_with_them_counted(tmp_path):
    """The migration that brings the counts counts what is there: a database upgraded with a
    broadcast under way shows the same /stats as one counted by a scan."""
    (version,) = [i for i, m in enumerate(MIGRATIONS) if any("outbox_tally" in s for s in m)]
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    for statements in MIGRATIONS[:version]:
        for statement in statements:
            connection.execute(statement)
    for chat_id in range(1, 8):
        connection.execute(
            "INSERT INTO subscribers (chat_id, chat_type, status, timezone, created_at, "
            "updated_at) VALUES (?, 'private', ?, 'Europe/Kyiv', ?, ?)",
            [chat_id, "blocked" if chat_id == 7 else "active", NOW.isoformat(), NOW.isoformat()],
        )
        status = ["pending", "sending", "sent", "failed", "skipped"][chat_id % 5]
        connection.execute(
            "INSERT INTO outbox (chat_id, kind, subject, due_at, status) "
            "VALUES (?, 'bulletin', '2026-08-08', ?, ?)",
            [chat_id, (NOW - timedelta(hours=chat_id)).isoformat(), status],
        )
    connection.executemany(
        "INSERT INTO chats (chat_id, language, updated_at) VALUES (?, 'uk', ?)",
        [(1, NOW.isoformat()), (2, NOW.isoformat()), (7, NOW.isoformat())],
    )
    connection.execute(f"PRAGMA user_version = {version}")
    connection.commit()
    connection.close()

    store = Store(path)
    assert store.subscribers.languages() == {"uk": 2, "en": 4}
    assert store.outbox.pending_count() == 3  # chats 1, 5 (pending) and 4 (sending)
    assert_counts_as_scanned(store)
    store.close()


# Pruning -----------------------------------------------------------------------------------


def kyiv(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 8, day, hour, minute, tzinfo=KYIV).astimezone(UTC)


def test_pruning_removes_finished_messages_of_bulletins_no_longer_news_and_nothing_else(store):
    """On 11 August (Kyiv), the news is 10 and 11 August's: finished messages due before the
    10th begins in Kyiv go; one waiting or in flight stays however old it is; the counts of
    earlier days stay as they were."""
    store.outbox.enqueue(
        [
            (1, OutboxKind.BULLETIN, "2026-08-08", kyiv(8, 9)),  # sent: goes
            (2, OutboxKind.BULLETIN, "2026-08-08", kyiv(8, 9)),  # failed: goes
            (3, OutboxKind.BULLETIN, "2026-08-08", kyiv(8, 9)),  # skipped: goes
            (4, OutboxKind.BULLETIN, "2026-08-08", kyiv(8, 9)),  # still waiting: stays
            (5, OutboxKind.BULLETIN, "2026-08-08", kyiv(8, 9)),  # in flight: stays
            (6, OutboxKind.BULLETIN, "2026-08-09", kyiv(9, 23, 59)),  # sent: goes
            (7, OutboxKind.BULLETIN, "2026-08-10", kyiv(10, 0, 0)),  # sent: stays
            (8, OutboxKind.CHART, "2026-08-10", kyiv(10, 9)),  # sent: stays
        ]
    )
    ids = dict(store.db.execute("SELECT chat_id, id FROM outbox").fetchall())
    claimed = store.outbox.claim_due(kyiv(11, 12), 100)
    outcome = {2: DeliveryStatus.FAILED, 3: DeliveryStatus.SKIPPED}
    store.outbox.finish(
        [
            DeliveryResult(d.id, outcome.get(d.chat_id, DeliveryStatus.SENT))
            for d in claimed
            if d.chat_id not in (4, 5)
        ],
        now=kyiv(11, 12),
    )
    store.outbox.finish([DeliveryResult(ids[4], DeliveryStatus.PENDING)], now=kyiv(8, 9))
    since = datetime(2026, 8, 1, tzinfo=KYIV)
    counted = store.outbox.counts_since(since)

    done = prune(store, now=kyiv(11, 12), zone=KYIV)

    assert done.before == datetime(2026, 8, 10, tzinfo=KYIV) == kept_since(date(2026, 8, 11), KYIV)
    assert done.messages == 4
    assert outbox_rows(store) == [
        (4, "bulletin", "2026-08-08", "pending"),
        (5, "bulletin", "2026-08-08", "sending"),
        (7, "bulletin", "2026-08-10", "sent"),
        (8, "chart", "2026-08-10", "sent"),
    ]
    assert (
        store.outbox.counts_since(since)
        == counted
        == {"pending": 2, "sent": 4, "failed": 1, "skipped": 1}
    )
    assert store.outbox.pending_count() == 2
    assert prune(store, now=kyiv(11, 23), zone=KYIV).messages == 0  # until midnight, nothing


def test_what_notices_ask_of_the_outbox_is_answered_the_same_after_pruning(store):
    """Who was shown which day's figures, in every way a notice asks it (the chats shown a
    category's figure, whether a chat got a day's bulletin, the milestones told to it and to
    anyone), is answered alike by the rows and, once they are pruned, by what they left."""
    followed = {1: "", 2: "tanks", 3: "artillery", 4: "", 5: "", 6: "", 7: "tanks,artillery"}
    for chat_id, categories in followed.items():
        store.subscribers.subscribe(
            chat_id, "private", send_at=None, timezone="Europe/Kyiv", now=NOW
        )
        store.db.execute(
            "UPDATE subscribers SET categories = ? WHERE chat_id = ?", [categories, chat_id]
        )
    days = [date(2026, 8, d) for d in (1, 2, 3)]
    sent = [
        *((c, OutboxKind.BULLETIN, day.isoformat()) for c in (1, 2, 3, 7) for day in days),
        (4, OutboxKind.CARD, "2026-08-02"),
        (5, OutboxKind.CHART, "2026-08-02"),  # a chart shows no day's bulletin
        (6, OutboxKind.BULLETIN, "2026-08-03"),  # failed below: never shown
        (4, OutboxKind.MILESTONE, "tanks:13000@2026-08-02"),
        (5, OutboxKind.MILESTONE, "tanks:13000@2026-08-02"),
        (5, OutboxKind.MILESTONE, "uav:450000@2026-08-02"),
        (3, OutboxKind.MILESTONE, "artillery:48000@2026-08-03"),
        (1, OutboxKind.CORRECTION, "2026-08-02@2026-08-02T10:00:00+00:00"),
    ]
    store.outbox.enqueue((c, k, s, kyiv(3, 9)) for c, k, s in sent)
    claimed = store.outbox.claim_due(kyiv(4, 0), 100)
    store.outbox.finish(
        [
            DeliveryResult(d.id, DeliveryStatus.FAILED if d.chat_id == 6 else DeliveryStatus.SENT)
            for d in claimed
        ],
        now=kyiv(4, 0),
    )

    def answers() -> list[object]:
        found: list[object] = []
        for day in [*days, date(2026, 8, 4)]:
            for category in ("tanks", "artillery", "uav", "personnel"):
                found.append(store.outbox.recipients_of_day(day, [category]))
            found.append(store.outbox.milestones_told(None, day))
            for chat_id in range(1, 8):
                found.append(store.outbox.was_shown(chat_id, day))
                found.append(store.outbox.milestones_told(chat_id, day))
        return found

    before = answers()
    assert store.outbox.recipients_of_day(date(2026, 8, 2), ["tanks"]) == [1, 2, 4, 5, 7]
    assert prune(store, now=kyiv(9, 12), zone=KYIV).messages == len(sent)
    assert outbox_rows(store) == []
    assert answers() == before
    prune(store, now=kyiv(10, 12), zone=KYIV)  # again: nothing changes
    assert answers() == before


# Through the bot ---------------------------------------------------------------------------


def errata_to(bot, chat_id: int) -> list[str]:
    texts = [render.to_plain(m.text) for m in bot.api.messages_to(chat_id)]
    return [text for text in texts if " was revised: " in text]


async def delivered_then_pruned(bot) -> None:
    """The bulletin of 8 August sent to everyone, then three days on, the bot's hourly prune
    (in a worker thread, as the job runs it) removes its messages."""
    await poll_now(bot.services)
    await drain(bot)
    bot.clock.advance(timedelta(days=3))
    pruned = await prune_now(bot.services)
    assert pruned is not None and pruned.messages > 0
    assert outbox_rows(bot.store) == []  # the notices below go by what pruning kept


async def test_a_correction_after_pruning_reaches_exactly_the_chats_shown_that_figure(
    bot, fake_api
):
    everything, artillery, tanks_short, milestones, card, later = 701, 702, 703, 704, 705, 706
    fake_api.api.set_total(NEW_DAY, "warships_cutters", 40)  # 34 the day before: a milestone
    await bot.ask("/subscribe", chat_id=everything)
    await bot.ask("/subscribe artillery short", chat_id=artillery)
    await bot.ask("/subscribe tanks short", chat_id=tanks_short)
    await bot.ask("/milestones", chat_id=milestones)
    await bot.ask("/subscribe card", chat_id=card)
    await delivered_then_pruned(bot)
    await bot.ask("/subscribe", chat_id=later)  # after the day: was never shown it

    reply = await admin(bot, "/correct 2026-08-08 tanks 12250 typo in the source")
    assert "3 subscribers who got that bulletin will get a notice." in reply
    await drain(bot)
    expected = "Correction to the bulletin of 8 August 2026: tanks 12,250, not 12,251."
    for chat in (everything, tanks_short, card):
        assert notices_to(bot, chat) == [expected], chat
    for chat in (artillery, milestones, later):
        assert notices_to(bot, chat) == [], chat

    await admin(bot, "/correct 2026-08-08 warships 39 a typo in the source")
    await drain(bot)
    (notice,) = notices_to(bot, milestones)  # told of the milestone alone, 3 days before
    assert notice == (
        "Correction to the bulletin of 8 August 2026: warships and boats 39, not 40.\n"
        "Warships and boats: not past 40 after all; the figure is now 39."
    )
    assert notices_to(bot, artillery) == notices_to(bot, later) == []


async def test_a_revision_after_pruning_brings_errata_to_those_who_got_the_day(bot, fake_api):
    reader, artillery, later = 711, 712, 713
    await bot.ask("/subscribe", chat_id=reader)
    await bot.ask("/subscribe artillery", chat_id=artillery)  # shown no tanks figure
    await delivered_then_pruned(bot)
    await bot.ask("/subscribe", chat_id=later)

    fake_api.api.set_total(NEW_DAY, "tanks", 12255)
    result = await poll_now(bot.services)
    revised = next(o for o in result.outcomes if o.date == NEW_DAY)
    assert (revised.change, revised.status) == ("revised", "accepted")
    await drain(bot)
    assert errata_to(bot, reader) == [
        "The bulletin of 8 August 2026 was revised: tanks 12,255, not 12,251."
    ]
    assert errata_to(bot, artillery) == errata_to(bot, later) == []


async def test_notices_to_more_chats_than_a_chunk_are_queued_a_chunk_at_a_time(bot, monkeypatch):
    """A correction's notices, and an uncorrection's, are queued as a broadcast is: the first
    chunk of chats on the command, the rest as delivery sends (at a million, finding and
    queueing them all at once held the bot up for seconds). Everyone shown the figure is
    told once, whichever chunk they were in, and the admin is told more are coming."""
    monkeypatch.setattr(subscriptions, "CHUNK", 2)
    shown = [731, 732, 733, 734, 735]
    artillery, later = 736, 737
    for chat in shown:
        await bot.ask("/subscribe", chat_id=chat)
    await bot.ask("/subscribe artillery short", chat_id=artillery)
    await delivered_then_pruned(bot)
    await bot.ask("/subscribe", chat_id=later)

    reply = await admin(bot, "/correct 2026-08-08 tanks 12250 typo in the source")
    assert "Notices to those shown that figure are being queued as messages go out." in reply
    await drain(bot)
    expected = "Correction to the bulletin of 8 August 2026: tanks 12,250, not 12,251."
    for chat in shown:
        assert notices_to(bot, chat) == [expected], chat
    assert notices_to(bot, artillery) == notices_to(bot, later) == []

    (correction,) = bot.store.corrections.log(date(2026, 8, 8))
    reply = await admin(bot, f"/uncorrect {correction.id}")
    assert "the notices are being queued as messages go out" in reply
    await drain(bot)
    for chat in shown:
        assert len(notices_to(bot, chat)) == 2, chat
    assert notices_to(bot, artillery) == notices_to(bot, later) == []


async def test_stats_shows_the_database_size_and_the_last_pruning(bot):
    before = render.to_plain((await bot.ask("/stats", chat_id=ADMIN)).text)
    size = bot.store.size()[0] / 1e6
    assert f"Database: {size:.1f} MB, " in before and "of it free for new messages" in before
    assert "Last pruning: none yet" in before
    await bot.ask("/subscribe", chat_id=721)
    await delivered_then_pruned(bot)
    after = render.to_plain((await bot.ask("/stats", chat_id=ADMIN)).text)
    assert re.search(r"Last pruning: 2026-08-11 \d\d:\d\d UTC, messages removed: 1 \(", after)
    # What was sent that day is still counted, as the counts of 8 August's deliveries.
    assert bot.store.outbox.counts_since(datetime(2026, 8, 8, tzinfo=KYIV)) == {"sent": 1}


def test_prune_on_the_command_line_says_what_it_removed(run_on_history, tmp_path):  # noqa: F811
    store = Store(tmp_path / "bulletin.db")
    store.outbox.enqueue([(9, OutboxKind.BULLETIN, "2026-08-05", kyiv(5, 9))])
    (claimed,) = store.outbox.claim_due(kyiv(5, 9), 1)
    store.outbox.finish([DeliveryResult(claimed.id, DeliveryStatus.SENT)], now=kyiv(5, 9))
    store.close()
    status, out, err = run_on_history("prune")  # on 8 August: the 7th and the 8th are news
    assert (status, err) == (0, "")
    assert out.startswith(
        "Messages removed: 1, finished and due before 2026-08-06 21:00 UTC, when their "
        "bulletin was no longer news; who was sent which day's figures is kept. Database: "
    )
    store = Store(tmp_path / "bulletin.db")
    assert outbox_rows(store) == []
    assert store.outbox.was_shown(9, date(2026, 8, 5))
    assert store.logs.audit_log(1)[0].action == "prune"
    store.close()
