"""One table of admin commands (bot/admin.py): Telegram, the command line, /help and the README
all follow it."""

from __future__ import annotations

from pathlib import Path

from bot.admin import ADMIN_COMMANDS, COMMAND_LINE, TELEGRAM, admin_commands
from bot.cli import _parser
from bot.telegram import admin, menus
from tests.bot_harness import ADMIN, USER
from tests.test_bot_commands import plain

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_every_telegram_admin_command_has_a_handler_a_menu_entry_and_a_readme_row():
    telegram = admin_commands(TELEGRAM)
    assert [c.name for c in telegram] == list(admin.HANDLERS) == list(menus.ADMIN)
    for command in telegram:
        usage = f"/{command.name} {command.arguments}".strip()
        assert f"| `{usage}` |" in README, f"the README's admin table lacks {usage}"


def test_every_command_line_admin_command_is_a_subcommand():
    subcommands = _parser()._subparsers._group_actions[0].choices
    for command in admin_commands(COMMAND_LINE):
        assert command.name in subcommands
        assert subcommands[command.name].description == command.summary


def test_each_command_is_for_telegram_or_the_command_line_or_both():
    assert all(c.where & {TELEGRAM, COMMAND_LINE} for c in ADMIN_COMMANDS)
    assert len({c.name for c in ADMIN_COMMANDS}) == len(ADMIN_COMMANDS)


async def test_help_lists_the_admin_commands_to_an_admin_only(bot):
    for_admin = plain(await bot.ask("/help", chat_id=ADMIN))
    assert "Admin commands" in for_admin
    assert all(f"/{name} — " in for_admin for name in menus.ADMIN)
    assert "Admin commands" not in plain(await bot.ask("/help", chat_id=USER))
