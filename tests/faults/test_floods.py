"""Many people at once: heavy requests are bounded for everyone together, so a bystander is
answered as usual, and every flooder gets an answer (the thing asked for, or "try again in a
minute"), never silence. Latencies are printed (`pytest -s`) for RELIABILITY.md, not asserted."""

from __future__ import annotations

import asyncio
import time

from bot import texts

BYSTANDER = 999_999


async def bystander_wait(bot) -> float:
    """How long someone else's /latest waits behind the crowd (a figure, not a limit: this
    harness answers about 70 updates a second, less on a busy machine)."""
    start = time.perf_counter()
    before = len(bot.api.messages_to(BYSTANDER))
    bot.api.send_text("/latest tanks", chat_id=BYSTANDER)
    assert await asyncio.to_thread(
        bot.api.wait_for, lambda: len(bot.api.messages_to(BYSTANDER)) > before, 120
    ), "the bystander got no answer"
    assert "Tanks: 12,247" in bot.api.messages_to(BYSTANDER)[-1].text
    return time.perf_counter() - start


async def test_a_crowd_asking_different_charts_gets_charts_or_busy_and_others_are_answered(bot):
    crowd = range(1, 61)
    for user in crowd:  # 60 people, 60 different periods: the cache cannot help
        bot.api.send_text(f"/chart tanks artillery uav personnel {user + 30}d", chat_id=user)
    waits = [await bystander_wait(bot)]
    answered = await asyncio.to_thread(
        bot.api.wait_for, lambda: all(bot.api.messages_to(u) for u in crowd), 120
    )
    waits.append(await bystander_wait(bot))
    assert answered, "someone in the crowd got no answer"
    photos = [u for u in crowd if bot.api.messages_to(u)[-1].method == "sendPhoto"]
    busy = [u for u in crowd if bot.api.messages_to(u)[-1].text == texts.BUSY]
    assert len(photos) + len(busy) == len(crowd)
    assert busy, "the flood was not bounded"
    assert bot.services.charts.drawn == len(photos)
    print(f"charts: {len(photos)} drawn, {len(busy)} busy; bystander waited {max(waits):.2f} s")


async def test_a_crowd_asking_the_same_export_builds_it_once(bot):
    crowd = range(1, 41)
    for user in crowd:
        bot.api.send_text("/export json", chat_id=user)
    wait = await bystander_wait(bot)
    assert await asyncio.to_thread(
        bot.api.wait_for, lambda: all(bot.api.messages_to(u) for u in crowd), 120
    )
    files = {bytes(bot.api.messages_to(u)[-1].attachment or b"") for u in crowd}
    busy = sum(bot.api.messages_to(u)[-1].text == texts.BUSY for u in crowd)
    assert len(files - {b""}) == 1  # one file, the same for everyone who got it
    assert busy == 0  # those asking for the file being built wait for it, and take no turn
    assert bot.services.memo.worked["export"] == 1
    print(f"exports: {len(crowd) - busy} sent, {busy} busy; bystander waited {wait:.2f} s")


async def test_a_crowd_of_inline_queries_costs_one_answer(bot):
    before = len(bot.api.inline_answers)
    for user in range(1, 501):
        bot.api.inline_query("", user_id=user)
    wait = await bystander_wait(bot)
    assert await asyncio.to_thread(
        bot.api.wait_for, lambda: len(bot.api.inline_answers) - before >= 500, 120
    )
    assert bot.services.memo.worked["inline"] == 1
    print(f"inline: 500 answered from 1 rendering; bystander waited {wait:.2f} s")
