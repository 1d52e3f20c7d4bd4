"""What modules import: the core knows nothing of Telegram (only bot/telegram/ may import
python-telegram-bot), no module imports one that imports it back, and the command line starts
without numpy."""

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


def module_name(path: Path) -> str:
    parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def bot_imports(path: Path, modules: set[str]) -> set[str]:
    """The modules of bot/ that `path` imports, type-only imports included: `from bot import
    render` is bot.render, `from bot.store import Store` is bot.store."""
    tree = ast.parse(path.read_text(), filename=str(path))
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    found = set()
    for name in named:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name and name != "bot":
            found.add(name)
    return found - {module_name(path)}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import one another, round in a circle (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                lowest[module] = min(lowest[module], lowest[other])
            elif other in stack:
                lowest[module] = min(lowest[module], index[other])
        if lowest[module] == index[module]:
            group = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_one_that_imports_it_back():
    """A cycle (render naming admin's result type, admin -> notices -> render -> admin) makes
    the rooms one room: what a module needs from another that needs it lives apart from both
    (bot/corrections.py)."""
    paths = {module_name(p): p for p in BOT.rglob("*.py")}
    graph = {name: bot_imports(path, set(paths)) for name, path in paths.items()}
    assert graph["bot.admin"] >= {"bot.notices", "bot.render"}  # the walk sees imports
    assert import_cycles(graph) == []


def test_the_pieces_every_render_room_shares_need_no_room():
    """bot/render's rooms (bulletin, admin, ...) build on phrases, markup and splitting, never
    the other way: a room is found, read and changed alone."""
    render = BOT / "render"
    paths = {module_name(p): p for p in BOT.rglob("*.py")}
    rooms = {module_name(p) for p in render.glob("*.py")} - {"bot.render"}
    shared = {"bot.render.phrases", "bot.render.markup", "bot.render.splitting"}
    assert shared < rooms
    for name in shared:
        assert bot_imports(paths[name], set(paths)) & rooms <= {"bot.render.markup"}, name


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]


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
