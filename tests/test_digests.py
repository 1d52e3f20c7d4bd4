"""Weekly and monthly digests over calendar periods, every summary of a morning in one
message, and a chart, a format, categories and thresholds for the digests too. End to end
through the Bot API stand-in, with the clock on the morning each bulletin came out (the
stored history cut after it, as in tests/test_trust.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.store import DeliveryStatus, OutboxKind
from bot.subscriptions import enqueue_bulletin
from bot.telegram.app import _delivery_keyboard
from tests.bot_harness import ADMIN
from tests.test_bot_delivery import drain, plain

MONDAY = date(2026, 8, 3)  # its bulletin brings the week of 27 July - 2 August
FIRST = date(2026, 8, 1)  # a Saturday: its bulletin brings July
MONDAY_THE_FIRST = date(2026, 6, 1)  # brings the daily summary, the week and May at once
LIMIT = 4096  # Telegram's, in UTF-16 code units


def the_morning_of(bot, day: date) -> None:
    """The bot as it was when the bulletin of `day` came out: no bulletin after it stored,
    the clock at 06:30 UTC that day."""
    for table in ("findings", "figures"):
        bot.store.db.execute(
            f"DELETE FROM {table} WHERE report_id IN (SELECT id FROM reports WHERE date > ?)",
            [str(day)],
        )
    bot.store.db.execute("DELETE FROM reports WHERE date > ?", [str(day)])
    bot.clock.advance(datetime.combine(day, time(6, 30), tzinfo=UTC) - bot.clock.now())


async def deliver(bot, day: date) -> None:
    enqueue_bulletin(bot.store, day, now=bot.clock.now())
    await drain(bot, bot.deliverer())


def received(bot, chat_id: int) -> list:
    """What a chat got after the answer to its /subscribe."""
    return bot.api.messages_to(chat_id)[1:]


def tanks(bot, day: date) -> int:
    """The tanks total of a bulletin, read from its stored report: the digests' rises are
    checked against these, not against the code that sums the changes."""
    return bot.store.reports.on(day).totals["tanks"]


def rows_for(bot, chat_id: int) -> list[tuple[str, str, str]]:
    return bot.store.db.execute(
        "SELECT kind, subject, status FROM outbox WHERE chat_id = ? ORDER BY id", [chat_id]
    ).fetchall()


async def test_a_weekly_subscriber_gets_last_monday_to_sunday_against_the_week_before(bot):
    """A bulletin gives the losses of the day before: the week of Monday 27 July to Sunday
    2 August is the bulletins of 28 July to 3 August, the week before those of 21 to 27 July."""
    the_morning_of(bot, MONDAY)
    await bot.ask("/subscribe weekly", chat_id=7101)
    await bot.ask("/subscribe weekly", chat_id=7102, language_code="uk")
    await deliver(bot, MONDAY)

    (digest,) = received(bot, 7101)
    lines = plain(digest).splitlines()
    assert lines[:2] == [
        "The week of 27 July – 2 August 2026 against the week before (20–26 July 2026)",
        "From the bulletins of 28 July – 3 August 2026: each gives the losses of the day before.",
    ]
    rise = tanks(bot, MONDAY) - tanks(bot, date(2026, 7, 27))
    before = tanks(bot, date(2026, 7, 27)) - tanks(bot, date(2026, 7, 20))
    (line,) = [line for line in lines if line.startswith("Tanks:")]
    assert line.startswith(f"Tanks: +{rise} (previous: +{before}, ")  # +7, +67
    assert len([line for line in lines if ": +" in line or ": 0 (" in line]) == 15

    (digest,) = received(bot, 7102)
    lines = plain(digest).splitlines()
    assert lines[:2] == [
        "Тиждень з 27 липня до 2 серпня 2026 р. порівняно з попереднім (з 20 до 26 липня 2026 р.)",
        "За зведеннями з 28 липня до 3 серпня 2026 р.: кожне подає втрати за попередню добу.",
    ]
    assert f"Танки: +{rise} (попередні: +{before}, " in plain(digest)


async def test_a_monthly_subscriber_on_the_1st_gets_last_month_against_the_one_before(bot):
    """July's losses are the bulletins of 2 July to 1 August (31 days), June's those of 2 June
    to 1 July (30): never '3 July - 1 August', thirty days that are no month."""
    the_morning_of(bot, FIRST)
    await bot.ask("/subscribe monthly", chat_id=7103)
    await bot.ask("/subscribe monthly", chat_id=7104, language_code="uk")
    await deliver(bot, FIRST)

    (digest,) = received(bot, 7103)
    lines = plain(digest).splitlines()
    assert lines[:2] == [
        "July 2026 (31 days) against the month before (June 2026, 30 days)",
        "From the bulletins of 2 July – 1 August 2026: each gives the losses of the day before.",
    ]
    july = tanks(bot, FIRST) - tanks(bot, date(2026, 7, 1))
    june = tanks(bot, date(2026, 7, 1)) - tanks(bot, date(2026, 6, 1))
    assert f"Tanks: +{july} (previous: +{june}, " in plain(digest)  # +162, +103

    (digest,) = received(bot, 7104)
    assert plain(digest).startswith(
        "Липень 2026 р. (31 день) порівняно з попереднім місяцем (червень 2026 р., 30 днів)\n"
        "За зведеннями з 2 липня до 1 серпня 2026 р.: кожне подає втрати за попередню добу."
    )
    assert f"Танки: +{july} (попередні: +{june}, " in plain(digest)


async def test_a_bulletin_missing_from_the_week_is_named_never_silently_shorter(bot):
    """No bulletin of 30 July: the week's rise is the same (the next one gives both days), and
    the digest says so. Bulletins missing over the week's edge share their losses out by day,
    marked ≈, and say that too."""
    the_morning_of(bot, MONDAY)
    for gone in ("2026-07-30", "2026-07-27", "2026-07-28"):
        bot.store.db.execute(
            "DELETE FROM figures WHERE report_id IN (SELECT id FROM reports WHERE date = ?)",
            [gone],
        )
        bot.store.db.execute("DELETE FROM reports WHERE date = ?", [gone])
    await bot.ask("/subscribe weekly tanks", chat_id=7105)
    await bot.ask("/subscribe weekly tanks", chat_id=7106, language_code="uk")
    await deliver(bot, MONDAY)

    text = plain(received(bot, 7105)[0])
    assert (
        "No bulletin of 30 July 2026: the bulletin of 31 July 2026 gives the losses of "
        "29–30 July 2026 together." in text
    )
    # 26 July's bulletin is the last before the gap: 29 July's gives 26, 27 and 28 July.
    assert (
        "No bulletins of 27–28 July 2026: the bulletin of 29 July 2026 gives the losses of "
        "26–28 July 2026 together, shared out here by day between the periods (≈)." in text
    )
    assert "Tanks: ≈+" in text
    text = plain(received(bot, 7106)[0])
    assert (
        "Немає зведення за 30 липня 2026 р.: втрати з 29 до 30 липня 2026 р. подано разом у "
        "зведенні за 31 липня 2026 р." in text
    )
    assert "Немає зведень з 27 до 28 липня 2026 р.: втрати з 26 до 28 липня 2026 р." in text


async def test_every_summary_of_one_morning_comes_as_one_message(bot):
    """1 June 2026 is a Monday: a daily, weekly and monthly subscriber gets one outbox row and
    one message: the day's bulletin, the week of 25-31 May and May against April, then the
    link and the caveat once. (Before: three messages within seconds.)"""
    the_morning_of(bot, MONDAY_THE_FIRST)
    await bot.ask("/subscribe daily weekly monthly", chat_id=7107)
    await bot.ask("/subscribe daily weekly monthly", chat_id=7108, language_code="uk")
    await bot.ask("/subscribe daily weekly monthly tanks short", chat_id=7109)
    await bot.ask("/subscribe weekly monthly short", chat_id=7112, language_code="uk")
    await deliver(bot, MONDAY_THE_FIRST)

    for chat in (7107, 7108, 7109):
        assert rows_for(bot, chat) == [(OutboxKind.BULLETIN, "2026-06-01", DeliveryStatus.SENT)]
    (one,) = received(bot, 7107)
    text = plain(one)
    assert text.index("1 June 2026 · day 1559") < text.index("The week of 25–31 May 2026")
    assert text.index("The week of 25–31 May") < text.index("May 2026 (31 days) against")
    assert text.count("⚠️") == 1 and text.splitlines()[-1].startswith("⚠️")
    (one,) = received(bot, 7108)
    text = plain(one)
    assert text.index("1 червня 2026 р.") < text.index("Тиждень з 25 до 31 травня 2026 р.")
    assert "Травень 2026 р. (31 день) порівняно з попереднім місяцем" in text

    (one,) = received(bot, 7109)  # short, tanks: a line each
    lines = plain(one).splitlines()
    assert [line.split(" (")[0] for line in lines if line.startswith("Tanks")] == [
        f"Tanks: {tanks(bot, MONDAY_THE_FIRST):,}",
        "Tanks: +13",
        "Tanks: +63",
    ]
    assert not [line for line in lines if line.startswith("Personnel")]

    # No daily summary: the weekly digest's row carries the monthly one.
    assert rows_for(bot, 7112) == [(OutboxKind.WEEKLY, "2026-06-01", DeliveryStatus.SENT)]
    (one,) = received(bot, 7112)
    lines = plain(one).splitlines()
    assert lines[0].startswith("Тиждень з 25 до 31 травня 2026 р.")
    assert lines[16:18] == [
        "",
        "Травень 2026 р. (31 день) порівняно з попереднім місяцем (квітень 2026 р., 30 днів)",
    ]


async def test_a_morning_message_over_telegrams_limit_goes_in_pieces(bot):
    """A May with a bulletin missing every third day names ten gaps, twice: the morning's one
    row is longer than Telegram takes, and goes as two messages, each within the limit, the
    bulletin's buttons under the last."""
    the_morning_of(bot, MONDAY_THE_FIRST)
    for day in range(3, 31, 3):
        gone = str(date(2026, 5, day))
        bot.store.db.execute(
            "DELETE FROM figures WHERE report_id IN (SELECT id FROM reports WHERE date = ?)",
            [gone],
        )
        bot.store.db.execute("DELETE FROM reports WHERE date = ?", [gone])
    await bot.ask("/subscribe daily weekly monthly", chat_id=7110)
    await bot.ask("/subscribe daily weekly monthly", chat_id=7111, language_code="uk")
    enqueue_bulletin(bot.store, MONDAY_THE_FIRST, now=bot.clock.now())
    await drain(bot, bot.deliverer(keyboard=_delivery_keyboard))  # the application's buttons

    for chat in (7110, 7111):
        assert rows_for(bot, chat) == [(OutboxKind.BULLETIN, "2026-06-01", DeliveryStatus.SENT)]
        pieces = received(bot, chat)
        assert len(pieces) == 2
        assert all(len(p.text.encode("utf-16-le")) // 2 <= LIMIT for p in pieces)
        assert [bool(p.reply_markup) for p in pieces] == [False, True]
    whole = "\n".join(plain(p) for p in received(bot, 7110))
    assert whole.count("No bulletin of 30 May 2026: the bulletin of 31 May 2026 gives") == 2


async def test_a_weekly_chart_is_of_the_weeks_daily_changes(bot):
    the_morning_of(bot, MONDAY)
    await bot.ask("/subscribe weekly chart", chat_id=7111)
    await bot.ask("/subscribe weekly chart tanks", chat_id=7112, language_code="uk")
    await deliver(bot, MONDAY)

    digest, chart = received(bot, 7111)
    assert plain(digest).startswith("The week of 27 July – 2 August 2026")
    assert chart.method == "sendPhoto" and chart.attachment.startswith(b"\x89PNG")
    caption = plain(chart).splitlines()
    rise = tanks(bot, MONDAY) - tanks(bot, date(2026, 7, 27))
    assert caption[2] == (
        f"Tanks: {tanks(bot, MONDAY):,} on 3 August 2026 "
        f"(losses of the week of 27 July – 2 August 2026: +{rise})"
    )
    assert [line.split(":")[0] for line in caption[1:5]] == [
        "Personnel",
        "Tanks",
        "Artillery systems",
        "Operational-tactical UAVs",
    ]
    digest, chart = received(bot, 7112)  # their category only
    caption = plain(chart).splitlines()
    assert caption[1].startswith("Танки: ")
    assert caption[1].endswith(f"(втрати за тиждень з 27 липня до 2 серпня 2026 р.: +{rise})")
    assert not [line for line in caption if line.startswith("Особовий")]


async def test_a_monthly_chart_comes_with_the_monthly_digest(bot):
    the_morning_of(bot, FIRST)
    reply = await bot.ask("/subscribe monthly chart", chat_id=7113)
    assert "monthly (the 1st);" in plain(reply) and ", with a chart" in plain(reply)
    await deliver(bot, FIRST)
    digest, chart = received(bot, 7113)
    assert plain(digest).startswith("July 2026 (31 days)")
    assert "(losses of July 2026: +" in plain(chart)


async def test_a_short_digest_is_a_line_per_category(bot):
    the_morning_of(bot, FIRST)
    reply = await bot.ask("/subscribe monthly short tanks", chat_id=7114)
    assert "Short: a line per category." in plain(reply)
    await bot.ask("/subscribe monthly short tanks", chat_id=7115, language_code="uk")
    await deliver(bot, FIRST)
    july = tanks(bot, FIRST) - tanks(bot, date(2026, 7, 1))
    june = tanks(bot, date(2026, 7, 1)) - tanks(bot, date(2026, 6, 1))
    (digest,) = received(bot, 7114)
    lines = plain(digest).splitlines()
    assert lines[:2] == [
        "July 2026 (31 days) against the month before (June 2026, 30 days)",
        f"Tanks: +{july} (previous: +{june}, +57%)",
    ]
    assert lines[2] == "" and lines[-1].startswith("⚠️")  # then the source and the caveat
    (digest,) = received(bot, 7115)
    assert plain(digest).splitlines()[1] == f"Танки: +{july} (попередні: +{june}, +57%)"


async def test_a_threshold_on_a_digest_is_weighed_against_the_periods_rise(bot):
    """Tanks rose by 7 in the week: `weekly tanks>5` brings it, `weekly tanks>10` does not."""
    the_morning_of(bot, MONDAY)
    reply = await bot.ask("/subscribe weekly tanks>10", chat_id=7116)
    assert "Each summary only when, over its day, week or month, tanks changed by more" in (
        plain(reply)
    )
    await bot.ask("/subscribe weekly tanks>5", chat_id=7117)
    uk = await bot.ask("/subscribe weekly танки>10", chat_id=7118, language_code="uk")
    assert "Кожна розсилка — лише коли за її добу, тиждень чи місяць зміна така:" in plain(uk)
    await deliver(bot, MONDAY)
    assert received(bot, 7116) == [] and received(bot, 7118) == []
    (digest,) = received(bot, 7117)
    assert plain(digest).startswith("The week of 27 July – 2 August 2026")


async def test_a_card_is_the_daily_summarys_and_refused_for_digests_alone(bot):
    reply = await bot.ask("/subscribe monthly card", chat_id=7119)
    assert plain(reply).startswith(
        "“card” is a picture of one day's bulletin, and this subscription would have no daily "
        "summary. The weekly and monthly digests come as text, full or short, with a chart if "
        "asked: /subscribe weekly short chart. Or name daily too: /subscribe daily weekly card."
    )
    assert bot.store.subscribers.get(7119) is None
    reply = await bot.ask("/subscribe щомісяця картка", chat_id=7120, language_code="uk")
    assert plain(reply).startswith("«картка» — це картинка зі зведенням за один день")

    the_morning_of(bot, MONDAY)
    await bot.ask("/subscribe daily weekly card", chat_id=7121)
    await deliver(bot, MONDAY)
    card, digest = received(bot, 7121)  # the card, and the week as text
    assert card.method == "sendPhoto" and "day 1622" in plain(card)
    assert plain(digest).startswith("The week of 27 July – 2 August 2026")


async def test_digests_carried_by_a_summary_no_longer_news_still_go(bot):
    """The bot comes back after the next bulletin is out: Monday's summary is skipped as stale,
    the week it carried goes on its own."""
    await bot.ask("/subscribe daily weekly", chat_id=7122)
    await deliver(bot, MONDAY)  # the store already has the bulletins up to 7 August
    (digest,) = received(bot, 7122)
    assert plain(digest).startswith("The week of 27 July – 2 August 2026")
    assert rows_for(bot, 7122) == [
        (OutboxKind.BULLETIN, "2026-08-03", DeliveryStatus.SKIPPED),
        (OutboxKind.WEEKLY, "2026-08-03", DeliveryStatus.SENT),
    ]


async def test_one_morning_message_is_sent_once_and_counts_as_the_days_bulletin(bot):
    """Queued again (a revision of the day), nothing goes twice; a correction to the day's tanks
    reaches the daily and weekly subscriber, who was shown them, and not the weekly-only one."""
    the_morning_of(bot, MONDAY)
    await bot.ask("/subscribe daily weekly tanks", chat_id=7123)
    await bot.ask("/subscribe weekly tanks", chat_id=7124)
    await deliver(bot, MONDAY)
    await deliver(bot, MONDAY)
    assert len(received(bot, 7123)) == 1 and len(received(bot, 7124)) == 1

    figure = tanks(bot, MONDAY)
    await bot.ask(f"/correct 2026-08-03 tanks {figure + 1} typo", chat_id=ADMIN)
    await drain(bot, bot.deliverer(), step=timedelta(minutes=5))  # notices wait 10 minutes
    notices = [plain(m) for m in received(bot, 7123)[1:]]
    assert [n.split(":")[0] for n in notices] == ["Correction to the bulletin of 3 August 2026"]
    assert received(bot, 7124)[1:] == []
