"""Fault tests: real processes and stand-ins pushed into failure (RELIABILITY.md lists them).

They take over half the suite's time, so each is marked `faults` (conftest.py here):
`pytest -m "not faults"` is the quick loop while working, and `pytest` (CI) runs them all.
"""

from __future__ import annotations

import os

ROUNDS_VARIABLE = "BULLETIN_BOT_FAULT_ROUNDS"


def rounds(default: int) -> int:
    """How many times a test inflicts its fault (kills, say): `default`, the number whose
    figures RELIABILITY.md quotes, unless BULLETIN_BOT_FAULT_ROUNDS says otherwise (a quick
    check of one change, or a long soak)."""
    value = os.environ.get(ROUNDS_VARIABLE, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{ROUNDS_VARIABLE} is a number of rounds, 1 or more; not {value!r}")
    return int(value)
