"""Benchmark: a bystander behind crowds of 1,000, in rounds, code of several versions in turns.

    python -m bench.crowds [--rounds 5] [--crowds help,records,mix,chart] [--size 1000]
                           [--code NAME=DIR ...] [--quick]

The crowds of tests/faults/test_crowds.py (1,000 people each sending one command: /help;
/records; the mix of every reading command, with arguments that differ from person to person;
/chart), each followed by a bystander's /latest, against a real `bulletin-bot run` and the Bot
API and statistics API stand-ins, started once the bot and its drawing process are idle. A
crowd's figure is the bystander's wait as a multiple of the wait behind /help in the same run
(the issue's goal: at most 1.5 behind any crowd), beside the processor time the crowd cost the
bot, its drawing process (exports, charts) and this process (the stand-ins): on a machine
shared with other work the waits vary threefold from run to run, the processor times less.

`--code NAME=DIR` runs the bot from the code in DIR (`mkdir DIR && git archive COMMIT bot |
tar -x -C DIR`), its database made by that code too; several are taken in turns within each
round, so that a busy spell of the machine slows all of them. Without it: this checkout.
Medians per version at the end. `--quick`: 100 people, /help and the mix, one round.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from bench.arguments import parse
from tests.fake_bot_api import LocalBotApi
from tests.fake_statistics_api import FakeStatisticsApi, Server, api_records
from tests.faults import test_crowds
from tests.faults.test_kill import bot_config, bulletin_bot

ROOT = Path(__file__).resolve().parents[1]
CROWDS = {
    "help": (test_crowds.HELP, 1),
    "records": (test_crowds.RECORDS, 10_001),
    "mix": (test_crowds.MIX, 20_001),
    "chart": (test_crowds.CHARTS, 30_001),
}
# A crowd's figures: the bystander's wait and the processor time of the bot, of its drawing
# process and of this process (seconds).
Figures = tuple[float, float, float, float]


def own_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


@contextlib.contextmanager
def code_of(folder: str | None) -> Iterator[dict[str, str]]:
    """The environment of a process running the bot's code in `folder` (None: this checkout's),
    and this process's own set to it meanwhile, for whatever it starts (`bulletin_bot`)."""
    before = os.environ.get("PYTHONPATH")
    if folder:
        os.environ["PYTHONPATH"] = folder
    try:
        yield dict(os.environ, PYTHONPATH=folder or str(ROOT))
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = before


def make_database(path: Path, environment: dict[str, str]) -> None:
    """The bundled history in a database made by the code the environment names: a version's
    schema may differ from this checkout's."""
    script = (
        f"import sys; sys.path.append({str(ROOT)!r}); from pathlib import Path; "
        "from tests.faults.test_kill import with_subscribers; "
        f"with_subscribers(Path({str(path)!r}), 0, queued=False)"
    )
    # Run from the database's folder: Python puts the folder it runs in first on the path.
    subprocess.run([sys.executable, "-c", script], env=environment, cwd=path.parent, check=True)


def one_run(folder: str | None, crowds: list[str], size: int, source: Server) -> dict[str, Any]:
    """Start a bot, send it the crowds one after the other; each crowd's figures, and the bot's
    peak memory (MB)."""
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as work, code_of(folder) as environment:
        tmp = Path(work)
        make_database(tmp / "bulletin.db", environment)
        api = LocalBotApi()
        answers = test_crowds.Answers(api)
        with api.serve() as server:
            process = bulletin_bot(tmp, "run", config=bot_config(server, source))
            try:
                test_crowds.started(api, answers)
                test_crowds.settled(process.pid)
                for name in crowds:
                    asks, first = CROWDS[name]
                    bot = test_crowds.cpu_seconds(process.pid)
                    drawing = test_crowds.children_cpu_seconds(process.pid)
                    own = own_cpu_seconds()
                    waited, _ = test_crowds.crowd(api, answers, asks, first, size)
                    found[name] = (
                        waited,
                        test_crowds.cpu_seconds(process.pid) - bot,
                        test_crowds.children_cpu_seconds(process.pid) - drawing,
                        own_cpu_seconds() - own,
                    )
                    test_crowds.settled(process.pid)  # the next crowd starts on an idle bot
                found["memory"] = test_crowds.peak_memory_mb(process.pid)
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    return found


def line(name: str, figures: Figures, help_wait: float) -> str:
    waited, bot, drawing, own = figures
    return (
        f"{name} {waited * 1000:,.0f} ms (x{waited / help_wait:.2f}), bot {bot * 1000:,.0f} ms,"
        f" drawing {drawing * 1000:,.0f} ms, stand-ins {own * 1000:,.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--crowds", default="help,records,mix,chart")
    parser.add_argument("--size", type=int, default=test_crowds.CROWD)
    parser.add_argument("--code", action="append", default=[], metavar="NAME=DIR")
    args = parse(parser, rounds=1, size=100, crowds="help,mix")
    crowds = args.crowds.split(",")
    if crowds[0] != "help" or not set(crowds) <= set(CROWDS):
        parser.error(f"--crowds: help first, then any of {', '.join(CROWDS)}")
    versions = [tuple(code.split("=", 1)) for code in args.code] or [("this", "")]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in versions}
    with Server(FakeStatisticsApi(api_records(since=date(2026, 5, 1)))) as source:
        for round_ in range(1, args.rounds + 1):
            for name, folder in versions:
                found = one_run(folder or None, crowds, args.size, source)
                runs[name].append(found)
                help_wait = found["help"][0]
                print(
                    f"round {round_}, {name} (load {os.getloadavg()[0]:.1f}): "
                    + "; ".join(line(crowd, found[crowd], help_wait) for crowd in crowds)
                    + f"; peak memory {found['memory']:.0f} MB",
                    flush=True,
                )
    print(f"\nMedians of {args.rounds} round(s), crowds of {args.size}:")
    for name, found in runs.items():
        parts = []
        for crowd in crowds:
            ratios = [run[crowd][0] / run["help"][0] for run in found]
            middle = [statistics.median(run[crowd][i] for run in found) for i in range(4)]
            parts.append(
                f"{crowd} {middle[0] * 1000:,.0f} ms, x{statistics.median(ratios):.2f}"
                f" ({min(ratios):.2f}-{max(ratios):.2f}), bot {middle[1] * 1000:,.0f} ms,"
                f" drawing {middle[2] * 1000:,.0f} ms, stand-ins {middle[3] * 1000:,.0f} ms"
            )
        print(f"{name}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
