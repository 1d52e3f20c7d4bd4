"""Issue 29 tried as an operator, an admin, a reader and an attacker would (the tryout after the
merge): each test here is one of its findings, each failing before its fix."""

from __future__ import annotations

import os
import signal
import time
from datetime import date, timedelta
from pathlib import Path

from bot import render
from bot.telegram.jobs import poll_now, prune_now
from tests.fake_bot_api import LocalBotApi
from tests.faults.test_kill import bot_config, bulletin_bot
from tests.test_bot_admin import admin, drain
from tests.test_shape import GROUP_ADMIN

NEW_DAY = date(2026, 8, 8)


def texts_to(bot, chat_id: int) -> list[str]:
    return [render.to_plain(m.text or "") for m in bot.api.messages_to(chat_id)]


def corrections_to(bot, chat_id: int) -> list[str]:
    return [t for t in texts_to(bot, chat_id) if t.startswith(("Correction to", "Виправлення до"))]


async def a_ukrainian_artillery_group_that_became_a_supergroup(bot) -> tuple[int, int]:
    """A Ukrainian group following artillery only is shown the bulletin of 8 August; the
    group then becomes a supergroup (the bot learns it from the next message it sends there,
    an announcement); three days on, the hourly prune removes the messages of 8 August."""
    old, new = -4291, -1004291
    asked = {"chat_id": old, "chat_type": "group", "user_id": GROUP_ADMIN}
    bot.api.chat_admins.setdefault(old, set()).add(GROUP_ADMIN)
    await bot.ask("/language uk", **asked)
    bot.clock.advance(timedelta(seconds=2))
    await bot.ask("/subscribe artillery", **asked)
    await poll_now(bot.services)
    await drain(bot)
    assert any(t.startswith("Втрати") or "Артилерійські" in t for t in texts_to(bot, old))
    bot.api.faults.migrated[old] = new
    await admin(bot, "/announce The bot moves to a new server tonight.")
    await drain(bot)
    assert bot.store.subscribers.get(new) is not None  # followed to its new id
    bot.clock.advance(timedelta(days=3))
    await prune_now(bot.services)
    return old, new


async def test_a_migrated_artillery_group_gets_no_notice_of_a_tanks_correction(bot):
    old, new = await a_ukrainian_artillery_group_that_became_a_supergroup(bot)
    await admin(bot, "/correct 2026-08-08 tanks 12250 typo in the source")
    await drain(bot)
    assert corrections_to(bot, new) == corrections_to(bot, old) == []


async def test_a_migrated_group_hears_of_an_artillery_correction_in_its_language(bot):
    _old, new = await a_ukrainian_artillery_group_that_became_a_supergroup(bot)
    await admin(bot, "/correct 2026-08-08 artillery 42000 typo in the source confirm")
    await drain(bot)
    (notice,) = corrections_to(bot, new)
    assert notice.startswith("Виправлення до зведення")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_bot_killed_leaves_no_drawing_process_behind(tmp_path, fake_api):
    api = LocalBotApi()
    with api.serve() as server:
        process = bulletin_bot(tmp_path, "run", config=bot_config(server, fake_api))
        left: list[int] = []
        try:
            deadline = time.monotonic() + 60  # a ceiling for a loaded machine
            while time.monotonic() < deadline and not any(
                b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
                for pid in children(process.pid)
                if alive(pid)
            ):
                time.sleep(0.2)
            spawned = children(process.pid)
            assert spawned, "no drawing process started"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and any(alive(pid) for pid in spawned):
                time.sleep(0.2)
            left = [pid for pid in spawned if alive(pid)]
            assert left == []
        finally:
            for pid in left:  # this test's own orphans, by their ids
                os.kill(pid, signal.SIGKILL)
