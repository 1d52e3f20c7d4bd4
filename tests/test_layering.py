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


def test_the_command_line_starts_without_numpy_which_charts_can_still_import():
    """numpy costs 50 ms of every command's start-up; only charts need it."""
    check = (
        "import sys, bot.cli\n"
        "assert 'numpy' not in sys.modules, 'numpy was imported'\n"
        "import numpy, bot.charts\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True, capture_output=True, timeout=60)
