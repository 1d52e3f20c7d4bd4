"""Trust at every door: figures typed or pasted by hand pass the same checks as a fetched
report (issue 23). The real application against the Bot API stand-in, a real SQLite file.

The store holds the real history to 7 August 2026: tanks 12,246 on 6 August, 12,247 on the 7th;
the fake source's 8 August has tanks 12,251 and artillery 47,580.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot import render, texts
from bot.store import DeliveryStatus, OutboxKind, ReportStatus
from bot.subscriptions import enqueue_bulletin
from bot.telegram.jobs import poll_now
from tests.bot_harness import ADMIN, USER
from tests.conftest import NOW
from tests.test_bot_admin import admin, drain, subscribe

STORED = date(2026, 8, 7)


def outbox_rows(bot) -> list[tuple[int, str, str]]:
    return bot.store.db.execute("SELECT chat_id, kind, subject FROM outbox ORDER BY id").fetchall()


def tanks_on(bot, day: date) -> int:
    report = bot.store.reports.on(day)
    return report.totals["tanks"]


# 1. One gate for admin values -------------------------------------------------------------


async def test_a_value_grouped_as_the_bot_writes_it_is_read_whole(bot):
    reply = await admin(bot, "/correct 2026-08-07 tanks 12 250 typo in the source")
    assert reply.startswith("Correction 1: Tanks on 7 August 2026 is now 12,250 (was 12,247).")
    assert tanks_on(bot, STORED) == 12250
    (correction,) = bot.store.corrections.log()
    assert correction.reason == "typo in the source"
    for grouped in ("12,249", "12.249", "12\u00a0249", "12'249"):
        await admin(bot, f"/correct 2026-08-07 tanks {grouped}")
        assert tanks_on(bot, STORED) == 12249, grouped
        await admin(bot, f"/uncorrect {bot.store.corrections.log()[0].id}")


@pytest.mark.parametrize(
    "value", ["12 56", "1,2345", "12,25", "١٢٢٤٨", "12248²", "12,249.5", "12 249,000"]
)
async def test_a_value_that_cannot_be_read_with_certainty_is_refused(bot, value):
    reply = await admin(bot, f"/correct 2026-08-07 tanks {value} typo")
    assert "is not a whole number from 0 to 100,000,000" in reply
    assert reply.endswith(texts.USAGE_CORRECT.format(prefix="/"))
    assert bot.store.corrections.log() == []


@pytest.mark.parametrize("word", ["²", "١", "1²", "-1", "1.0"])
async def test_uncorrect_takes_only_an_id_and_says_how(bot, word):
    assert await admin(bot, f"/uncorrect {word}") == texts.USAGE_UNCORRECT.format(prefix="/")


async def test_a_correction_a_report_would_be_held_for_is_refused_with_the_figures(bot):
    for value, finding in (
        ("0", "Tanks went down: 12,246 → 0"),
        ("11946", "Tanks went down: 12,246 → 11,946"),
    ):
        reply = await admin(bot, f"/correct 2026-08-07 tanks {value} typo")
        assert reply.startswith(
            f"Not corrected: Tanks {int(value):,} on 7 August 2026 would not pass the checks"
        )
        assert f"on 7 August 2026: {finding}" in reply
        assert f"/correct 2026-08-07 tanks {value} typo confirm" in reply
        assert bot.store.corrections.log() == []
    # Confirmed on purpose, it is made, and the audit says what was confirmed.
    reply = await admin(bot, "/correct 2026-08-07 tanks 11946 typo confirm")
    assert reply.startswith("Correction 1: Tanks on 7 August 2026 is now 11,946")
    assert tanks_on(bot, STORED) == 11946
    assert "confirmed: Tanks went down" in bot.store.logs.audit_log(1)[0].detail


async def test_a_correction_is_checked_against_the_next_day_too(bot):
    """Lowering 6 August makes it a fall from the 5th, and the 7th's rise implausible."""
    reply = await admin(bot, "/correct 2026-08-06 tanks 12046 typo")
    assert "on 6 August 2026: Tanks went down: 12,242 → 12,046" in reply
    assert "on 7 August 2026: Tanks rose by +201 in 1 day, above the limit" in reply
    assert bot.store.corrections.log() == []


async def test_the_admin_sees_the_notice_subscribers_will_get_before_it_goes(bot):
    subscribe(bot, 501)
    enqueue_bulletin(bot.store, STORED, now=NOW)
    await drain(bot)
    reply = await admin(bot, "/correct 2026-08-07 tanks 12248 typo")
    assert "In 10 minutes they get this notice (/uncorrect 1 before then" in reply
    assert reply.endswith("Correction to the bulletin of 7 August 2026: tanks 12,248, not 12,247.")
    await admin(bot, "/uncorrect 1")
    await drain(bot)
    assert not [m for m in bot.api.messages_to(501) if "Correction to" in m.text]


# 3. A paste is a revision like any other ----------------------------------------------------

OFFICIAL = (Path(__file__).parent / "fixtures" / "bulletins" / "en_2026-08-08.txt").read_text()
NEW_DAY = date(2026, 8, 8)


async def test_a_paste_over_a_day_readers_see_is_held_with_both_figures(bot, fake_api):
    await poll_now(bot.services)  # 8 August from the API: readers see tanks 12,251
    same = await admin(bot, OFFICIAL)
    assert same.startswith("Read a bulletin for 8 August 2026: unchanged")
    assert bot.store.reports.with_status(ReportStatus.HELD) == []

    reply = await admin(bot, OFFICIAL.replace("12,251 (+4)", "12,252 (+5)"))
    assert reply.startswith("Read a bulletin for 8 August 2026: revised, held.")
    assert "Tanks: readers see 12,251, the text gives 12,252" in reply
    assert tanks_on(bot, NEW_DAY) == 12251  # what readers see is unchanged
    alerts = [row for row in outbox_rows(bot) if row[1] == OutboxKind.ALERT]
    assert [chat for chat, *_ in alerts] == [ADMIN]
    # Only an approval replaces it, and readers are told what was approved over what.
    await admin(bot, "/approve 2026-08-08")
    assert tanks_on(bot, NEW_DAY) == 12252
    latest = render.to_plain((await bot.ask("/latest tanks")).text)
    assert "Tanks: 12,252 (+5)*" in latest
    assert "* Tanks: replaces the figure first shown; an admin approved it." in latest


async def test_a_paste_without_changes_cannot_be_checked_and_waits_for_an_admin(bot):
    bare = re.sub(r" \(\+[\d,]+\)", "", OFFICIAL)
    subscribe(bot, 501)
    reply = await admin(bot, bare)
    assert reply.startswith("Read a bulletin for 8 August 2026: new, held.")
    assert "15 of 15 figures have no change in brackets" in reply
    assert "Queued" not in reply
    assert bot.store.reports.on(NEW_DAY) is None
    held = await admin(bot, "/held")
    assert "15 of 15 figures have no change in brackets" in held
    assert "nothing is wrong with it now" not in held


# 5. /held and /approve tell the whole truth -------------------------------------------------


async def test_a_partial_report_approved_shows_what_it_lacks_everywhere(bot):
    partial = "\n".join(
        line for line in OFFICIAL.splitlines() if "tanks" in line or "from 24.02" in line
    )
    assert "tanks ‒ 12,251 (+4)" in partial and "personnel" not in partial
    reply = await admin(bot, partial)
    assert "new, held" in reply
    held = await admin(bot, "/held")
    assert "Personnel missing (was 1,455,420 on 7 August 2026)" in held
    assert "nothing is wrong with it now" not in held
    await admin(bot, "/approve 2026-08-08")
    for command in ("/latest", "/on 2026-08-08"):
        text = render.to_plain((await bot.ask(command)).text)
        assert "Tanks: 12,251 (+4)" in text
        assert "Not in the bulletin of 8 August 2026: personnel, armoured combat vehicles" in text


# 6. Notices only to those who saw the figure ------------------------------------------------


def notices_to(bot, chat_id: int) -> list[str]:
    return [
        render.to_plain(m.text)
        for m in bot.api.messages_to(chat_id)
        if "Correction to" in m.text or "revised its bulletin" in m.text
    ]


async def test_a_correction_reaches_only_those_shown_that_figure(bot, fake_api):
    everything, artillery, tanks_short, milestones = 701, 702, 703, 704
    fake_api.api.set_total(NEW_DAY, "warships_cutters", 40)  # 34 the day before: a milestone
    await bot.ask("/subscribe", chat_id=everything)
    await bot.ask("/subscribe artillery short", chat_id=artillery)
    await bot.ask("/subscribe tanks short", chat_id=tanks_short)
    await bot.ask("/milestones", chat_id=milestones)
    await poll_now(bot.services)
    await drain(bot)
    assert any("past 40" in m.text for m in bot.api.messages_to(milestones))

    await admin(bot, "/correct 2026-08-08 tanks 12250 typo in the source")
    await drain(bot)
    expected = "Correction to the bulletin of 8 August 2026: tanks 12,250, not 12,251."
    assert notices_to(bot, everything) == [expected]
    assert notices_to(bot, tanks_short) == [expected]
    assert notices_to(bot, artillery) == []
    assert notices_to(bot, milestones) == []


async def test_a_milestone_corrected_away_after_it_went_out_is_withdrawn(bot, fake_api):
    fake_api.api.set_total(NEW_DAY, "warships_cutters", 40)
    await bot.ask("/milestones")
    await poll_now(bot.services)
    await drain(bot)
    await admin(bot, "/correct 2026-08-08 warships 39 a typo in the source")
    await drain(bot)
    (notice,) = notices_to(bot, USER)
    assert notice == (
        "Correction to the bulletin of 8 August 2026: warships and boats 39, not 40.\n"
        "Warships and boats: not past 40 after all; the figure is now 39."
    )


# 7. Late is not news ------------------------------------------------------------------------


async def test_a_summary_three_weeks_late_is_skipped_with_the_reason(bot):
    subscribe(bot, 801)
    enqueue_bulletin(bot.store, STORED, now=NOW)  # due now; the bot is then down for weeks
    bot.clock.advance(timedelta(days=21))
    await drain(bot)
    assert bot.api.messages_to(801) == []
    ((status, error),) = bot.store.db.execute(
        "SELECT status, last_error FROM outbox WHERE chat_id = 801"
    ).fetchall()
    assert status == DeliveryStatus.SKIPPED
    assert error == "expired: the bulletin of 2026-08-07 is no longer news on 2026-08-29"


async def test_a_summary_overtaken_by_the_next_bulletin_is_skipped(bot, fake_api):
    subscribe(bot, 802)
    enqueue_bulletin(bot.store, STORED, now=NOW)
    await poll_now(bot.services)  # 8 August is out before 7 August's summary went
    await drain(bot)
    (only,) = [render.to_plain(m.text) for m in bot.api.messages_to(802)]
    assert "8 August 2026" in only


# 8. Counts that mean what they say ----------------------------------------------------------


async def test_queued_for_counts_subscribers_not_messages(bot):
    await bot.ask("/subscribe chart milestones", chat_id=901)  # bulletin, chart, milestone
    await bot.ask("/subscribe", chat_id=902)
    await bot.ask("/milestones", chat_id=903)
    pasted = OFFICIAL.replace("warships / boats ‒ 35 (+1)", "warships / boats ‒ 40 (+6)")
    reply = await admin(bot, pasted)
    assert "new, accepted" in reply
    assert reply.endswith("Queued for 3 subscribers.")
    assert len(outbox_rows(bot)) == 5


# Found by an independent try ------------------------------------------------------------------


async def test_a_paste_dated_after_a_gap_waits_for_an_admin(bot):
    """Its changes are one day's: filed four months after the last stored day, nothing checks
    the date (it was accepted, and sent, as the bulletin of 6 December)."""
    misdated = OFFICIAL.replace("to 08.08.2026", "to 06.12.2026")
    bot.clock.advance(timedelta(days=120))
    reply = await admin(bot, misdated)
    assert reply.startswith("Read a bulletin for 6 December 2026: new, held.")
    assert "the last day stored before it is 7 August 2026, 121 days earlier" in reply
    assert bot.store.reports.on(date(2026, 12, 6)) is None


@pytest.mark.parametrize(
    "command, expected",
    [
        (
            "/correct 2022-06-25 submarines 1",
            "Not corrected: the bulletin of 25 June 2022 has no figure for Submarines",
        ),
        ("/correct 2026-08-07 prisoners 5", "Prisoners of war were last reported on"),
        ("/correct 2026-08-05 tanks 12243 artillery 47000", texts.ONE_CATEGORY),
        ("/correct 2026-08-05 tanks 12243 confirm typo", "Put “confirm” last"),
        ("/correct 2026-08-05 aircraft 4390 confirm", "4,390 is more than ten times"),
        ("/correct 08/05/2026 tanks 12243", "is not a date"),
        ("/correct ٢٠٢٦-٠٨-٠٥ tanks 12243", "is not a date"),
    ],
)
async def test_corrections_an_admin_did_not_mean_are_refused(bot, command, expected):
    reply = await admin(bot, command)
    assert expected in reply
    assert bot.store.corrections.log() == []


async def test_a_one_line_paste_over_a_shown_day_revises_that_line_only(bot, fake_api):
    await poll_now(bot.services)
    one_line = "Загальні бойові втрати противника з 24.02.2022 по 08.08.2026:\nтанків ‒ 12 252 (+5)"
    reply = await admin(bot, one_line)
    assert "revised, held" in reply and "missing" not in reply
    assert "Tanks: readers see 12,251, the text gives 12,252" in reply
    await admin(bot, "/approve 2026-08-08")
    text = render.to_plain((await bot.ask("/latest")).text)
    assert "Tanks: 12,252 (+5)*" in text and "Artillery systems: 47,580 (+58)" in text
    assert "Not in the bulletin" not in text


async def test_whoever_was_told_of_a_correction_hears_when_it_changes_again(bot, fake_api):
    subscribe(bot, 851)
    await poll_now(bot.services)
    await drain(bot)
    await admin(bot, "/correct 2026-08-08 aircraft 1439 a stray digit in the source confirm")
    await drain(bot)  # told: 1,439
    reply = await admin(bot, "/correct 2026-08-08 aircraft 440 typo")
    assert "1 subscriber who got that bulletin will get a notice." in reply
    await drain(bot)  # told: 440
    reply = await admin(bot, "/uncorrect 2")
    assert reply.endswith("1 subscriber who was shown that figure will be told.")
    await drain(bot)  # told: 1,439 again
    await admin(bot, "/uncorrect 1")
    await drain(bot)  # told: 439, as fetched
    assert notices_to(bot, 851) == [
        f"Correction to the bulletin of 8 August 2026: aircraft {now}, not {before}."
        for before, now in (("439", "1,439"), ("1,439", "440"), ("440", "1,439"), ("1,439", "439"))
    ]


async def test_the_preview_is_the_whole_notice_milestone_withdrawal_included(bot, fake_api):
    fake_api.api.set_total(NEW_DAY, "warships_cutters", 40)
    await bot.ask("/milestones")
    await poll_now(bot.services)
    await drain(bot)
    reply = await admin(bot, "/correct 2026-08-08 warships 39 a typo in the source")
    assert reply.endswith(
        "Correction to the bulletin of 8 August 2026: warships and boats 39, not 40.\n"
        "Warships and boats: not past 40 after all; the figure is now 39."
    )


@pytest.mark.parametrize("command", ["/history tanks ٣", "/history tanks ³", "/chart tanks ٣٠d"])
async def test_digits_other_than_ascii_are_refused_by_every_reader_command(bot, command):
    text = render.to_plain((await bot.ask(command)).text)
    assert "2026-08-0" not in text and "picture" not in text
    assert any(word in text for word in ("is not", "Unknown", "not a period", "Write it"))
