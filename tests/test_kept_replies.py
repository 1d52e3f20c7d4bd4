"""What a reader is sent once the records and exports are kept in the drawing process
(bot/kept.py) and patched: after an admin's correction lands, /records and /export say what a
reading of the whole history says, through the bot and its drawing process."""

from __future__ import annotations

import csv
import io
import json

from bot import render
from tests.bot_harness import ADMIN, USER


async def text(bot, command: str, chat_id: int = USER) -> str:
    return render.to_plain((await bot.ask(command, chat_id=chat_id)).text)


async def test_records_after_corrections_land_and_one_is_withdrawn(bot):
    assert "1. +66 on 26 February 2022" in await text(bot, "/records tanks")
    assert "Tanks: +66 on 26 February 2022" in await text(bot, "/records")

    # The first day's count (80) was low: 26 February's rise is +16, no longer among the ten.
    await text(bot, "/correct 2022-02-25 tanks 130 first count was low confirm", ADMIN)
    found = await text(bot, "/records tanks", USER + 1)
    assert "1. +55 on 20 October 2023" in found and "+66" not in found
    assert "Tanks: +55 on 20 October 2023" in await text(bot, "/records", USER + 1)

    # 7 August's tanks corrected up: a new record, the largest of them all.
    await text(bot, "/correct 2026-08-07 tanks 12346 a test confirm", ADMIN)
    found = await text(bot, "/records tanks", USER + 2)
    assert "1. +100 on 7 August 2026\n2. +55 on 20 October 2023" in found

    await text(bot, "/uncorrect 1", ADMIN)
    found = await text(bot, "/records tanks", USER + 3)
    assert "1. +100 on 7 August 2026\n2. +66 on 26 February 2022\n3. +55" in found
    assert bot.services.charts.drawing.pids(), "not read in the drawing process"


def rows(data: bytes) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["date"], r["category"]): r for r in csv.DictReader(io.StringIO(data.decode()))}


async def test_an_export_after_a_correction_lands(bot):
    before = rows((await bot.ask("/export csv", chat_id=ADMIN)).attachment)
    await bot.ask("/export json", chat_id=ADMIN)  # both kept whole from here on
    artillery = before["2024-03-10", "artillery"]
    assert artillery["corrected"] == "" and artillery["fetched_total"] == ""
    fetched, change = int(artillery["total"]), int(artillery["change"])
    following = int(before["2024-03-11", "artillery"]["change"])

    await text(bot, f"/correct 2024-03-10 artillery {fetched + 10} typo confirm", ADMIN)
    after = rows((await bot.ask("/export csv", chat_id=USER)).attachment)
    assert after["2024-03-10", "artillery"] == {
        **artillery,
        "total": str(fetched + 10),
        "change": str(change + 10),
        "corrected": "yes",
        "fetched_total": str(fetched),
    }
    assert after["2024-03-11", "artillery"]["change"] == str(following - 10)
    assert len(after) == len(before)

    # A month of it, cut from the whole history's kept text.
    month = json.loads((await bot.ask("/export json 2024-03-01 2024-03-31")).attachment)
    assert [day["date"] for day in month["days"]][:1] == ["2024-03-01"]
    assert month["days"][9]["figures"]["artillery"] == {
        "total": fetched + 10,
        "change": change + 10,
        "span_days": 1,
        "corrected": True,
        "fetched_total": fetched,
    }
    assert month["days"][10]["figures"]["artillery"]["change"] == following - 10
