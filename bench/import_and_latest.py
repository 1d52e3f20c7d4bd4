"""Benchmark: import the whole history, then `latest`, each as a whole process.

    python -m bench.import_and_latest [--runs N] [--quick]

Goals (issue 2): import of the 1,626-day dataset under 2 s; `bulletin-bot latest` under 300 ms
wall, Python start-up included. Each run starts from a new, empty database in a temporary folder.
Also reports the in-process ingest time, without interpreter start-up and imports.

Goal (issue 13): `latest` within 1.3x of `python -c "import httpx, sqlite_utils"`, timed in
turns with it, so that both see the same machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.arguments import parse

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "tests" / "fixtures" / "dataset"
FILES = [DATASET / "russia_losses_equipment.json", DATASET / "russia_losses_personnel.json"]


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def in_process_ingest(folder: Path) -> float:
    from bot.ingest import ingest
    from bot.sources.dataset import reports_from
    from bot.store import Store

    start = time.perf_counter()
    files = [(str(path), json.loads(path.read_text())) for path in FILES]
    store = Store(folder / "in-process.db")
    ingest(
        store, reports_from(files), now=datetime.now(UTC), today=date.today(), hold_suspicious=False
    )
    store.close()
    return time.perf_counter() - start


def summary(name: str, seconds: list[float], goal: float) -> str:
    best, median, worst = min(seconds), statistics.median(seconds), max(seconds)
    verdict = "meets" if median < goal else "MISSES"
    return (
        f"{name:<34} best {best * 1000:7.1f} ms  median {median * 1000:7.1f} ms  "
        f"worst {worst * 1000:7.1f} ms  ({verdict} the {goal * 1000:.0f} ms goal)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parse(parser, runs=1)
    cli = [sys.executable, "-m", "bot"]
    libraries = [sys.executable, "-c", "import httpx, sqlite_utils"]
    imports, latests, ingests, bare = [], [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            cwd = Path(folder)
            imports.append(timed([*cli, "import", *map(str, FILES)], cwd))
            latests.append(timed([*cli, "latest"], cwd))
            bare.append(timed(libraries, cwd))
            ingests.append(in_process_ingest(cwd))
    with tempfile.TemporaryDirectory() as folder:
        baseline = [timed([sys.executable, "-c", "pass"], Path(folder)) for _ in range(args.runs)]
    print(f"{args.runs} runs, Python {sys.version.split()[0]}")
    print(summary("import (whole process)", imports, 2.0))
    print(summary("import (in process, no start-up)", ingests, 2.0))
    print(summary("latest (whole process)", latests, 0.3))
    print(summary("python -c pass (start-up alone)", baseline, 0.3))
    ratio = statistics.median(latests) / statistics.median(bare)
    print(
        f"{'import httpx, sqlite_utils':<34} median {statistics.median(bare) * 1000:7.1f} ms: "
        f"latest is {ratio:.2f}x that (goal <= 1.3x)"
    )


if __name__ == "__main__":
    main()
