"""Every benchmark runs, in its quick mode, on each test run: bench/latency.py had stopped
running (it imported `Services` from where it no longer lives, and seeded without `today=`)
and nothing noticed. The figures are not checked here (they belong to a quiet machine, in
bench/README.md); that each script still runs to its end, and prints them, is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The benchmarks: every script in bench/ that runs as a program (history.py is a module).
SCRIPTS = sorted(
    path.stem
    for path in (ROOT / "bench").glob("*.py")
    if 'if __name__ == "__main__":' in path.read_text(encoding="utf-8")
)


def test_every_benchmark_is_run_here():
    assert SCRIPTS == [
        "broadcast",
        "charts",
        "crowds",
        "enqueue",
        "import_and_latest",
        "latency",
        "pictures",
        "queueing",
        "reads",
        "send_clients",
        "stats",
        "updates",
        "year",
    ]


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_benchmark_runs_in_its_quick_mode(name):
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,  # a ceiling for a loaded machine; each takes 1 to 10 s
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert " ms" in result.stdout or "/s" in result.stdout, result.stdout


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_benchmark_starts_as_its_docstring_says(name):
    """Each says `python -m bench.NAME`, the one way: the repository on the path, so that the
    scripts share bench/arguments.py and the Bot API stand-in in tests/ (run as a file, Python
    would put bench/ there instead). And `--help` says what `--quick` sets."""
    text = (ROOT / "bench" / f"{name}.py").read_text(encoding="utf-8")
    assert f"python -m bench.{name}" in text, f"bench/{name}.py says not how to run it"
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout and "--quick" in result.stdout
