"""What every benchmark's command line has: `--quick`.

A quick run takes small sizes and a few seconds, and says only that the script still runs:
tests/test_bench.py runs every benchmark so, and a benchmark that stops running fails CI
instead of rotting. Its figures mean nothing; the real ones are in bench/README.md.
"""

from __future__ import annotations

import argparse


def parse(parser: argparse.ArgumentParser, **quick: object) -> argparse.Namespace:
    """`parser`'s arguments, with `--quick` added: given, each of `quick` replaces the argument
    of its name."""
    sizes = ", ".join(f"--{name.replace('_', '-')} {value}" for name, value in quick.items())
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{sizes}: does it still run (CI runs this)",
    )
    arguments = parser.parse_args()
    if arguments.quick:
        for name, value in quick.items():
            setattr(arguments, name, value)
    return arguments
