"""What modules import: the core knows nothing of Telegram (only bot/telegram/ may import
python-telegram-bot), and the command line starts without numpy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

BOT = Path(__file__).parents[1] / "bot"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_the_telegram_layer_imports_telegram():
    core = [p for p in BOT.rglob("*.py") if "telegram" not in p.relative_to(BOT).parts]
    assert len(core) > 20  # the walk found the core
    offenders = {
        str(path.relative_to(BOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "telegram"
        )
        for path in core
    }
    assert not {path: found for path, found in offenders.items() if found}


def test_the_check_sees_an_import_of_telegram(tmp_path):
    module = tmp_path / "sneaky.py"
    module.write_text("def f():\n    from telegram.constants import ParseMode\n")
    assert "telegram.constants" in imported_modules(module)


# What opens a listening socket (asyncio's servers, tornado's and the standard library's, a
# socket's own listen), and where the installed bot may: Telegram's webhook and the metrics.
SERVING = {"listen", "create_server", "start_server", "serve_forever", "start_http_server"}
LISTENERS = {"telegram/webhook.py", "metrics.py"}


def servers_started(path: Path) -> set[str]:
    """The calls in a module that start listening, by the name called."""
    tree = ast.parse(path.read_text(), filename=str(path))
    called = (node.func for node in ast.walk(tree) if isinstance(node, ast.Call))
    names = {f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "") for f in called}
    return names & SERVING


def test_nothing_installed_listens_but_the_webhook_and_the_metrics():
    """The Bot API stand-in's socket server (bot/telegram/local_api.py until issue 31) was
    installed for every user; it lives in the tests now (tests/fake_bot_api.py), and the
    console answers its calls in-process (bot/telegram/stand_in.py)."""
    found = {str(path.relative_to(BOT)): servers_started(path) for path in BOT.rglob("*.py")}
    assert {path for path, calls in found.items() if calls} == LISTENERS


def test_the_check_sees_a_server_started(tmp_path):
    module = tmp_path / "server.py"
    module.write_text("async def f(loop):\n    await loop.create_server(object, port=0)\n")
    assert servers_started(module) == {"create_server"}


def test_the_command_line_starts_without_numpy_which_charts_can_still_import():
    """numpy costs 50 ms of every command's start-up; only charts need it."""
    check = (
        "import sys, bot.cli\n"
        "assert 'numpy' not in sys.modules, 'numpy was imported'\n"
        "import numpy, bot.charts\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True, capture_output=True, timeout=60)
