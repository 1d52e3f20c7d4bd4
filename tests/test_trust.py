"""The trust pipeline end to end: every figure a subscriber or reader gets is right, or visibly
qualified. The real application, python-telegram-bot's HTTP stack against the Bot API stand-in,
the source stand-in on loopback, a real SQLite file, and a clock the test moves.

The fake source's 2026-08-08 is the "today" of these tests; the store holds the real history up
to 2026-08-07. On 8 August the real figures were artillery 47,580 (+58 on 47,522), tanks 12,251
(+4 on 12,247).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from pathlib import Path

from bot import render
from bot.report import FindingKind
from bot.store import ReportStatus
from bot.telegram.jobs import poll_now
from tests.bot_harness import ADMIN
from tests.conftest import NOW

BULLETINS = Path(__file__).parent / "fixtures" / "bulletins"
STORED, TODAY = date(2026, 8, 7), date(2026, 8, 8)
READER, LATE_READER = 601, 602


def plain(message) -> str:
    return render.to_plain(message.text)


async def admin(bot, text: str) -> str:
    return plain(await bot.ask(text, chat_id=ADMIN))


def subscribe(bot, chat_id: int, send_at: str | None = None) -> None:
    bot.store.subscribers.subscribe(
        chat_id, "private", send_at=send_at, timezone="Europe/Kyiv", now=NOW
    )


async def deliver_until(bot, moment: datetime) -> None:
    """Run the delivery job as the bot does, minute by minute, until `moment`."""
    deliverer = bot.services.deliverer or bot.deliverer()
    bot.services.deliverer = deliverer
    while True:
        await deliverer.run()
        if bot.clock.now() >= moment:
            return
        bot.clock.advance(min(timedelta(minutes=1), moment - bot.clock.now()))


def received(bot, chat_id: int) -> list[str]:
    return [plain(m) for m in bot.api.messages_to(chat_id)]


def line(text: str, name: str) -> str:
    (found,) = [row for row in text.splitlines() if row.startswith(f"{name}:")]
    return found


# 1. Held reports can be fixed before anyone sees them ----------------------------------------


async def test_a_misprint_corrected_while_held_reaches_subscribers_corrected_only(bot, fake_api):
    subscribe(bot, READER)
    fake_api.api.set_total(TODAY, "artillery_systems", 75)  # 764 -> 75, as on 25 June 2022
    result = await poll_now(bot.services)
    assert result.outcomes[-1].status == ReportStatus.HELD and result.queued == 0

    held = await admin(bot, "/held")
    assert "Artillery systems went down: 47,522 → 75" in held
    assert "Artillery systems 75" in held  # the admin sees the figures before deciding

    reply = await admin(bot, "/correct 2026-08-08 artillery 47580 misprint in the source")
    assert reply.startswith(
        "Correction 1: Artillery systems on 8 August 2026 is now 47,580 (was 75)."
    )
    assert "goes out with the corrected figure. Queued for 1 subscriber." in reply
    await deliver_until(bot, NOW + timedelta(minutes=30))

    (bulletin,) = received(bot, READER)
    assert line(bulletin, "Artillery systems") == "Artillery systems: 47,580 (+58)*"
    assert "corrected from 75 to 47,580 by an admin" in bulletin
    assert "lower than the day before" not in bulletin and "revised down" not in bulletin
    # What was fetched is kept as it came.
    fetched = bot.store.reports.newest_revision(TODAY, "accepted")
    assert fetched.totals["artillery"] == 75


async def test_a_correction_that_leaves_something_wrong_keeps_the_report_held(bot, fake_api):
    subscribe(bot, READER)
    fake_api.api.set_total(TODAY, "artillery_systems", 75)
    fake_api.api.set_total(TODAY, "tanks", 12200)
    await poll_now(bot.services)

    reply = await admin(bot, "/correct 2026-08-08 artillery 47580")
    assert "The bulletin stays on hold, because:" in reply
    assert "Tanks went down: 12,247 → 12,200" in reply
    assert "Artillery" not in reply.split("because:")[1]
    await deliver_until(bot, NOW + timedelta(minutes=30))
    assert received(bot, READER) == []

    reply = await admin(bot, "/correct 2026-08-08 tanks 12251")
    assert "goes out with the corrected figure" in reply
    await deliver_until(bot, NOW + timedelta(minutes=60))
    (bulletin,) = received(bot, READER)
    assert line(bulletin, "Tanks") == "Tanks: 12,251 (+4)*"


async def test_approve_shows_what_goes_out_and_footnotes_follow_later_corrections(bot, fake_api):
    subscribe(bot, READER)
    fake_api.api.set_total(TODAY, "mlrs", 2000)  # 2,008 the day before: a genuine revision
    await poll_now(bot.services)
    approved = await admin(bot, "/approve 2026-08-08")
    assert "Queued for 1 subscriber." in approved
    assert "MLRS: 2,000 (−8, revised down by the source)*" in approved

    # The admin then corrects the day before: the fall is now the correction's doing.
    await admin(bot, "/correct 2026-08-07 mlrs 1990 confirm")
    latest = plain(await bot.ask("/latest mlrs"))
    assert line(latest, "MLRS") == "MLRS: 2,000 (+10)*"
    assert "lower than the day before" not in latest
    assert "* MLRS: the change is counted from the corrected figure of 7 August 2026." in latest

    await admin(bot, "/correct 2026-08-07 mlrs 2005 confirm")
    latest = plain(await bot.ask("/latest mlrs"))
    assert line(latest, "MLRS") == "MLRS: 2,000 (−5, after a correction)*"
    assert "revised down by the source" not in latest


async def test_a_rejected_report_then_fixed_by_the_source_goes_out_once(bot, fake_api):
    subscribe(bot, READER)
    fake_api.api.set_total(TODAY, "tanks", 1)
    await poll_now(bot.services)
    await admin(bot, "/reject 2026-08-08 garbage")
    fake_api.api.set_total(TODAY, "tanks", 12251)

    result = await poll_now(bot.services)
    assert result.queued == 1
    await poll_now(bot.services)  # and again: nothing more
    await deliver_until(bot, NOW + timedelta(minutes=30))
    (bulletin,) = received(bot, READER)
    assert "Tanks: 12,251 (+4)" in bulletin and "8 August 2026" in bulletin


async def test_a_pasted_bulletin_replacing_a_held_one_goes_out_once(bot, fake_api):
    subscribe(bot, READER)
    fake_api.api.set_total(TODAY, "tanks", 1)
    await poll_now(bot.services)

    # The paste passes the gate a source does: it disagrees with the API's held version, so it
    # waits for an admin too, who approves it knowing both figures.
    reply = await admin(bot, (BULLETINS / "en_2026-08-08.txt").read_text())
    assert "held" in reply
    assert "Tanks: a pasted text gives 12,251, the russianwarship.rip API gives 1" in reply
    approved = await admin(bot, "/approve 2026-08-08")
    assert "Queued for 1 subscriber." in approved
    await deliver_until(bot, NOW + timedelta(minutes=30))
    (bulletin,) = received(bot, READER)
    assert "Tanks: 12,251 (+4)" in bulletin


# 2. Revisions the source makes later ---------------------------------------------------------


async def test_a_revision_of_a_delivered_day_brings_one_errata_to_those_who_got_it(bot, fake_api):
    subscribe(bot, READER)
    subscribe(bot, LATE_READER, send_at="20:00")  # 17:00 UTC
    await poll_now(bot.services)
    await deliver_until(bot, NOW + timedelta(minutes=5))
    assert len(received(bot, READER)) == 1 and received(bot, LATE_READER) == []

    fake_api.api.set_total(TODAY, "tanks", 12255)
    fake_api.api.set_total(TODAY, "uav_systems", 449700)
    result = await poll_now(bot.services)
    assert result.outcomes[-1].change == "revised" and result.outcomes[-1].status == "accepted"
    await poll_now(bot.services)  # seen again: nothing more

    await deliver_until(bot, datetime(2026, 8, 8, 17, 5, tzinfo=NOW.tzinfo))
    first, errata = received(bot, READER)
    assert "Tanks: 12,251 (+4)" in first
    assert errata == (
        "The bulletin of 8 August 2026 was revised: tanks 12,255, not 12,251; "
        "operational-tactical UAVs 449,700, not 449,606."
    )
    (late,) = received(bot, LATE_READER)  # the new version only, no errata
    assert "Tanks: 12,255 (+8)" in late


async def test_a_suspicious_revision_of_a_past_day_is_held_and_alerts_admins(bot, fake_api):
    fake_api.api.set_total(STORED, "tanks", 12240)  # below 12,246 on 6 August
    result = await poll_now(bot.services)
    revised = next(o for o in result.outcomes if o.date == STORED)
    assert (revised.change, revised.status) == ("revised", ReportStatus.HELD)
    details = [f.detail for f in revised.findings]
    assert "Tanks went down: 12,246 -> 12,240" in details
    assert "Tanks 12,240 is above the next day's" not in details
    assert "Tanks: 12,247" in plain(await bot.ask("/on 2026-08-07 tanks"))
    await deliver_until(bot, NOW + timedelta(minutes=1))
    assert any("7 August 2026 is on hold" in m for m in received(bot, ADMIN))


async def test_a_revision_above_the_next_day_is_held(bot, fake_api):
    await poll_now(bot.services)
    fake_api.api.set_total(STORED, "tanks", 12260)  # 12,251 the day after
    result = await poll_now(bot.services)
    revised = next(o for o in result.outcomes if o.date == STORED)
    assert revised.status == ReportStatus.HELD
    assert [f.detail for f in revised.findings] == [
        "Tanks 12,260 is above the next day's 12,251 (2026-08-08)"
    ]
    assert "Tanks: 12,251 (+4)" in plain(await bot.ask("/latest tanks"))


# 3. Dates that cannot be right ---------------------------------------------------------------


async def test_a_report_dated_tomorrow_is_held_and_released_when_its_day_comes(bot, fake_api):
    subscribe(bot, READER)
    tomorrow = TODAY + timedelta(days=1)
    record = copy.deepcopy(fake_api.api.records[TODAY])
    record["date"] = tomorrow.isoformat()
    record["stats"]["tanks"] += 3
    record["increase"] = {key: 0 for key in record["stats"]} | {"tanks": 3}
    fake_api.api.records[tomorrow] = record

    result = await poll_now(bot.services)
    held = next(o for o in result.outcomes if o.date == tomorrow)
    assert held.status == ReportStatus.HELD and [f.kind for f in held.findings] == [
        FindingKind.FUTURE
    ]
    await deliver_until(bot, NOW + timedelta(minutes=5))
    (today,) = received(bot, READER)  # today's bulletin, not tomorrow's
    assert "8 August 2026" in today and "Tanks: 12,251 (+4)" in today

    bot.clock.advance(timedelta(days=1) - timedelta(minutes=5))
    await poll_now(bot.services)
    await deliver_until(bot, bot.clock.now() + timedelta(minutes=5))
    _, next_day = received(bot, READER)
    assert "9 August 2026" in next_day and "Tanks: 12,254 (+3)" in next_day


async def test_an_older_day_does_not_go_out_while_the_newest_is_held(bot, fake_api):
    subscribe(bot, READER)
    bot.store.db.execute(
        "DELETE FROM figures WHERE report_id IN (SELECT id FROM reports WHERE date = ?)",
        [str(STORED)],
    )
    bot.store.db.execute("DELETE FROM reports WHERE date = ?", [str(STORED)])
    fake_api.api.set_total(TODAY, "tanks", 12200)
    result = await poll_now(bot.services)
    assert [(o.date, o.status) for o in result.outcomes if o.change == "new"] == [
        (STORED, "accepted"),
        (TODAY, ReportStatus.HELD),
    ]
    assert result.queued == 0
    await deliver_until(bot, NOW + timedelta(minutes=5))
    assert received(bot, READER) == []

    await admin(bot, "/correct 2026-08-08 tanks 12251")
    await deliver_until(bot, NOW + timedelta(minutes=30))
    (bulletin,) = received(bot, READER)  # one bulletin this morning: the newest
    assert "8 August 2026" in bulletin


# 4. Changes that span several days -----------------------------------------------------------


async def test_a_22_day_gap_is_never_one_days_change(bot):
    gap = (date(2026, 7, 17), date(2026, 8, 6))  # 21 days missing: 8-07 spans 22 days
    bot.store.db.execute(
        "DELETE FROM figures WHERE report_id IN "
        "(SELECT id FROM reports WHERE date BETWEEN ? AND ?)",
        [str(d) for d in gap],
    )
    bot.store.db.execute("DELETE FROM reports WHERE date BETWEEN ? AND ?", [str(d) for d in gap])

    history = plain(await bot.ask("/history tanks 30"))
    # 12,144 on 16 July, 12,247 on 7 August.
    assert "7 Aug             12,247   +103/22d" in history
    assert "Largest day: +103" not in history
    week = plain(await bot.ask("/week"))
    assert "Tanks: ≈+33" in week  # 7 of the 22 days' rise of 103 fall in the week
    records = plain(await bot.ask("/records tanks"))
    assert "+103" not in records

    export = await bot.ask("/export csv 2026-08-07 2026-08-07")
    rows = export.attachment.decode().splitlines()
    tanks = next(r for r in rows if ",tanks," in r)
    assert tanks.split(",")[5:7] == ["103", "22"]


# 5. Say how old the data is ------------------------------------------------------------------


async def test_old_figures_say_how_old_they_are_and_when_the_source_was_checked(bot, fake_api):
    await poll_now(bot.services)
    bot.clock.advance(timedelta(days=12))
    fake_api.api.fail("503")
    await poll_now(bot.services)

    latest = plain(await bot.ask("/latest tanks"))
    assert latest.startswith(
        "⚠️ These are the figures of 8 August 2026, 12 days old: nothing newer has come in. "
        "The source could not be reached at 09:30 (Kyiv time).\n"
    )
    assert "Tanks: 12,251 (+4)" in latest
    assert plain(await bot.ask("/history tanks")).startswith("⚠️ These are the figures of")
    sources = plain(await bot.ask("/sources"))
    assert "could not be reached at 09:30 (Kyiv time)" in sources
    assert "2026-08-20 06:30 UTC, failed (http://127.0.0.1:" in plain(
        await bot.ask("/sources", chat_id=ADMIN)
    )  # the error itself is for admins


async def test_old_figures_from_a_source_that_answered_say_when_it_last_did(bot):
    await poll_now(bot.services)  # 8 August's bulletin, at 09:30 in Kyiv
    bot.clock.advance(timedelta(days=3))
    assert plain(await bot.ask("/latest tanks")).startswith(
        "⚠️ These are the figures of 8 August 2026, 3 days old: nothing newer has come in. "
        "Source last checked on 8 August at 09:30 (Kyiv time).\n"
    )


async def test_in_the_morning_before_the_bulletin_yesterdays_figures_say_so(bot):
    latest = plain(await bot.ask("/latest tanks"))  # 09:30 in Kyiv; newest is 7 August
    assert latest.startswith(
        "Today's bulletin is not out yet; these are yesterday's figures. "
        "The source has not been checked yet.\n"
    )
    bot.clock.advance(timedelta(hours=5))  # 14:30: no longer said
    assert plain(await bot.ask("/latest tanks")).startswith("Russian losses since")


# 6 and 7. Pasting from the command line; notes; a category the source starts sending --------


async def test_a_category_the_source_starts_sending_can_be_asked_for_by_name(bot, fake_api):
    fake_api.api.records[TODAY]["stats"]["laser_systems"] = 3
    await poll_now(bot.services)
    reply = plain(await bot.ask("/latest laser systems"))
    assert "Laser systems: 3 (new)" in reply
    assert "Tanks" not in reply


async def test_admins_read_the_notes_on_accepted_history(bot):
    notes = await admin(bot, "/notes 2026-03-04")
    assert notes == (
        "Notes on accepted bulletins (1):\n2026-03-04 Artillery systems went down: 37,842 → 37,832"
    )
    assert "Notes on accepted bulletins (18):" in await admin(bot, "/notes")
