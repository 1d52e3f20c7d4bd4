"""Trust at every door: figures typed or pasted by hand pass the same checks as a fetched
report (issue 23). The real application against the Bot API stand-in, a real SQLite file.

The store holds the real history to 7 August 2026: tanks 12,246 on 6 August, 12,247 on the 7th;
the fake source's 8 August has tanks 12,251 and artillery 47,580.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot import texts
from tests.test_bot_admin import admin, drain, subscribe

STORED = date(2026, 8, 7)


def tanks_on(bot, day: date) -> int:
    report = bot.store.report_on(day)
    return report.totals["tanks"]


# 1. One gate for admin values -------------------------------------------------------------


async def test_a_value_grouped_as_the_bot_writes_it_is_read_whole(bot):
    reply = await admin(bot, "/correct 2026-08-07 tanks 12 250 typo in the source")
    assert reply.startswith("Correction 1: Tanks on 7 August 2026 is now 12,250 (was 12,247).")
    assert tanks_on(bot, STORED) == 12250
    (correction,) = bot.store.corrections()
    assert correction.reason == "typo in the source"
    for grouped in ("12,249", "12.249", "12\u00a0249", "12'249"):
        await admin(bot, f"/correct 2026-08-07 tanks {grouped}")
        assert tanks_on(bot, STORED) == 12249, grouped
        await admin(bot, f"/uncorrect {bot.store.corrections()[0].id}")


@pytest.mark.parametrize(
    "value", ["12 56", "1,2345", "12,25", "١٢٢٤٨", "12248²", "12,249.5", "12 249,000"]
)
async def test_a_value_that_cannot_be_read_with_certainty_is_refused(bot, value):
    reply = await admin(bot, f"/correct 2026-08-07 tanks {value} typo")
    assert "is not a whole number from 0 to 100,000,000" in reply
    assert reply.endswith(texts.USAGE_CORRECT)
    assert bot.store.corrections() == []


@pytest.mark.parametrize("word", ["²", "١", "1²", "-1", "1.0"])
async def test_uncorrect_takes_only_an_id_and_says_how(bot, word):
    assert await admin(bot, f"/uncorrect {word}") == texts.USAGE_UNCORRECT


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
        assert bot.store.corrections() == []
    # Confirmed on purpose, it is made, and the audit says what was confirmed.
    reply = await admin(bot, "/correct 2026-08-07 tanks 11946 typo confirm")
    assert reply.startswith("Correction 1: Tanks on 7 August 2026 is now 11,946")
    assert tanks_on(bot, STORED) == 11946
    assert "confirmed: Tanks went down" in bot.store.audit_log(1)[0].detail


async def test_a_correction_is_checked_against_the_next_day_too(bot):
    """Lowering 6 August makes it a fall from the 5th, and the 7th's rise implausible."""
    reply = await admin(bot, "/correct 2026-08-06 tanks 12046 typo")
    assert "on 6 August 2026: Tanks went down: 12,242 → 12,046" in reply
    assert "on 7 August 2026: Tanks rose by +201 in 1 day, above the limit" in reply
    assert bot.store.corrections() == []


async def test_the_admin_sees_the_notice_subscribers_will_get_before_it_goes(bot):
    subscribe(bot, 501)
    from bot.subscriptions import enqueue_bulletin
    from tests.conftest import NOW

    enqueue_bulletin(bot.store, STORED, now=NOW)
    await drain(bot)
    reply = await admin(bot, "/correct 2026-08-07 tanks 12248 typo")
    assert "In 10 minutes they get this notice (/uncorrect 1 before then" in reply
    assert reply.endswith("Correction to the bulletin of 7 August 2026: Tanks 12,248, not 12,247.")
    await admin(bot, "/uncorrect 1")
    await drain(bot)
    assert not [m for m in bot.api.messages_to(501) if "Correction to" in m.text]
