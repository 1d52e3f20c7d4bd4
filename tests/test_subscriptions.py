"""When each subscriber's summary is due, and when the source is polled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import subscriptions
from bot.render import to_plain
from bot.schedule import next_poll_in
from bot.store import OutboxKind, Store, Subscriber, SubscriberStatus
from bot.subscriptions import (
    Options,
    SubscriptionError,
    broadcast,
    due_at,
    find_zone,
    parse_options,
    queue_broadcasts,
)
from tests.bot_harness import USER

KYIV = ZoneInfo("Europe/Kyiv")


def subscriber(send_at: str | None, zone: str) -> Subscriber:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return Subscriber(1, "private", SubscriberStatus.ACTIVE, send_at, zone, moment, moment)


@pytest.mark.parametrize(
    "send_at, zone, accepted, expected",
    [
        # As soon as it is out.
        (None, "Europe/Kyiv", "2026-08-08T06:30", "2026-08-08T06:30"),
        # 08:30 in New York is 12:30 UTC in summer...
        ("08:30", "America/New_York", "2026-08-08T06:30", "2026-08-08T12:30"),
        # ... and 13:30 UTC in winter.
        ("08:30", "America/New_York", "2026-01-15T06:30", "2026-01-15T13:30"),
        # Their time has passed when it comes out: now, not a day late.
        ("07:00", "Europe/Kyiv", "2026-08-08T06:30", "2026-08-08T06:30"),
        # 03:30 does not exist in Kyiv on 29 March 2026 (03:00 -> 04:00 at 01:00 UTC): it is
        # read with the winter offset, 01:30 UTC (04:30 on the new clock), never skipped.
        ("03:30", "Europe/Kyiv", "2026-03-29T00:10", "2026-03-29T01:30"),
        # Tokyo is already on the next day: the summary goes at their 09:00 that day.
        ("09:00", "Asia/Tokyo", "2026-08-08T06:30", "2026-08-08T06:30"),
        ("20:00", "Asia/Tokyo", "2026-08-08T06:30", "2026-08-08T11:00"),
        # Kiritimati (UTC+14) at 23:00: their 23:00 of 26 November was 09:00 UTC, before a
        # bulletin out at 12:30 in Kyiv; their next 23:00 is on Kyiv's next day: at once.
        ("23:00", "Pacific/Kiritimati", "2026-11-26T10:30", "2026-11-26T10:30"),
        # Honolulu (UTC-10) at 07:00 on Kyiv's publication day: 17:00 UTC, 19:00 in Kyiv,
        # not at 20:00 their previous evening.
        ("07:00", "Pacific/Honolulu", "2026-11-26T06:00", "2026-11-26T17:00"),
        # Honolulu at 23:00: 25 November's 23:00 is 26 November 09:00 UTC, still Kyiv's 26th.
        ("23:00", "Pacific/Honolulu", "2026-11-26T06:00", "2026-11-26T09:00"),
    ],
)
def test_due_at(send_at, zone, accepted, expected):
    moment = datetime.fromisoformat(accepted).replace(tzinfo=UTC)
    assert due_at(subscriber(send_at, zone), moment) == datetime.fromisoformat(expected).replace(
        tzinfo=UTC
    )


@pytest.mark.parametrize(
    "word, zone",
    [
        ("Europe/London", "Europe/London"),
        ("london", "Europe/London"),
        ("new_york", "America/New_York"),
        ("UTC", "UTC"),
        ("kyiv", "Europe/Kyiv"),
        ("Europe/Kiev", "Europe/Kiev"),
        ("mars", None),
        ("../../etc/passwd", None),
        # In Python's tz database, but no place's zone: the server's own, no one's, legacy.
        ("localtime", None),
        ("Factory", None),
        ("EST", None),
        ("Etc/GMT+3", None),
    ],
)
def test_find_zone(word, zone):
    assert find_zone(word) == zone


async def test_subscribe_refuses_a_zone_no_place_keeps_in_the_readers_language(bot):
    reply = to_plain((await bot.ask("/subscribe 08:00 localtime")).text)
    assert reply.startswith("“localtime” is not the time zone of a place: name a city")
    assert bot.store.subscribers.get(USER) is None
    reply = to_plain((await bot.ask("/subscribe Factory", chat_id=1002, language_code="uk")).text)
    assert reply.startswith("«Factory» — не часовий пояс певного місця: напишіть місто")
    assert bot.store.subscribers.get(1002) is None


@pytest.mark.parametrize("word", ["localtime", "Factory", "GMT0", "etc/gmt-5"])
def test_a_zone_that_is_no_places_is_refused_saying_what_to_write(word):
    with pytest.raises(SubscriptionError, match=f"“{word}” is not the time zone of a place: "):
        parse_options(["08:00", word], "Europe/Kyiv")


def test_parse_options():
    assert parse_options([], "Europe/Kyiv") == Options(None, "Europe/Kyiv", ("daily",), False)
    assert parse_options(["7.05"], "Europe/Kyiv") == Options("07:05", "Europe/Kyiv")
    assert parse_options(["tokyo", "21:00"], "UTC") == Options("21:00", "Asia/Tokyo")
    # A chart comes with the digests too (of their period); quiet days shape the daily
    # summary only: asked for without it, they are refused.
    assert parse_options(["monthly", "щотижня", "графік"], "UTC") == Options(
        None, "UTC", ("weekly", "monthly"), True
    )
    with pytest.raises(SubscriptionError, match="“будні” shapes the daily summary"):
        parse_options(["monthly", "будні"], "UTC")
    assert parse_options(["daily", "monthly", "графік"], "UTC") == Options(
        None, "UTC", ("daily", "monthly"), True
    )
    with pytest.raises(SubscriptionError, match="“24:00” is not a time of day"):
        parse_options(["24:00"], "UTC")


@pytest.mark.parametrize(
    "local_time, latest, minutes",
    [
        ("2026-08-08T07:15", date(2026, 8, 7), 5),  # morning, today's not in: every 5 minutes
        ("2026-08-08T07:15", date(2026, 8, 8), 20),  # today's is in: relax
        ("2026-08-08T14:00", date(2026, 8, 7), 20),  # afternoon: the configured pace
        ("2026-08-08T05:59", date(2026, 8, 7), 20),
        ("2026-08-08T11:59", None, 5),  # an empty store in the morning
    ],
)
def test_next_poll_in(local_time, latest, minutes):
    now = datetime.fromisoformat(local_time).replace(tzinfo=KYIV)
    assert next_poll_in(now, KYIV, latest, 20) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    "word, zone",
    [("Київ", "Europe/Kyiv"), ("Лондон", "Europe/London"), ("нью-йорк", "America/New_York")],
)
def test_cities_as_ukrainian_readers_write_them(word, zone):
    assert find_zone(word) == zone


def test_a_broadcast_is_queued_a_chunk_at_a_time_and_resumes_after_a_restart(store, monkeypatch):
    """12,000 subscribers, 5,000 a chunk: the first chunk now, the rest as delivery goes
    (a new Store on the same file, as after a restart, carries on from where it stopped).
    Everyone gets exactly their messages, due at their own time."""
    monkeypatch.setattr(subscriptions, "CHUNK", 5_000)
    now = datetime(2026, 8, 8, 6, 30, tzinfo=UTC)
    with store.transaction():
        for chat_id in range(1, 12_001):
            london = chat_id % 3 == 0  # a third at 08:00 London, with a chart
            store.subscribers.subscribe(
                chat_id,
                "private",
                send_at="08:00" if london else None,
                timezone="Europe/London" if london else "Europe/Kyiv",
                with_chart=london,
                now=now,
            )
        store.subscribers.set_status(7, SubscriberStatus.UNSUBSCRIBED, now=now)
    # Kept by triggers as subscribers come and change.
    assert store.subscribers.counts() == {"active": 11_999, "unsubscribed": 1}
    assert broadcast(store, OutboxKind.BULLETIN, "2026-08-07", now=now) == 5_000 + 6_999 + 1_667
    assert outbox_rows(store) == 5_000 + 1_667  # chats 1-5,001 (7 is out); a third get charts

    again = Store(store.path)  # a restart
    assert queue_broadcasts(again, chunks=1) == 5_000 + 1_666
    assert queue_broadcasts(again) == 1_999 + 667
    assert not again.broadcasts.in_progress()
    rows = again.db.execute("SELECT chat_id, kind, due_at FROM outbox").fetchall()
    assert len(rows) == len(set((chat, kind) for chat, kind, _ in rows)) == 11_999 + 4_000
    due = {(chat, kind): at for chat, kind, at in rows}
    assert (
        due[(3, OutboxKind.BULLETIN)] == due[(3, OutboxKind.CHART)] == "2026-08-08T07:00:00+00:00"
    )
    assert due[(4, OutboxKind.BULLETIN)] == now.isoformat() and (4, OutboxKind.CHART) not in due
    assert (7, OutboxKind.BULLETIN) not in due
    again.close()


def outbox_rows(store: Store) -> int:
    return int(store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])
