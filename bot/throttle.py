"""A per-person token bucket, so one person's flood does not slow anyone else. No Telegram here.

Each person may send BURST messages at once and then RATE a second. The first message over the
limit gets a polite word (WARN); the rest of that flood is dropped silently (DROP) until the
bucket refills.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

BURST = 10
RATE = 1.0  # messages a second, sustained
MAX_PEOPLE = 100_000  # buckets kept; full ones are forgotten first


class Verdict(StrEnum):
    """What to do with one message from one person."""

    ALLOW = "allow"  # answer it
    WARN = "warn"  # the first over the limit: answer with a polite word instead
    DROP = "drop"  # the rest of the flood: no answer


# A person's bucket: (tokens, when last counted in seconds since the epoch, warned). A plain
# tuple of plain values, which the garbage collector stops looking at (and then at the dict of
# them): a crowd of 5,000 people leaves 5,000 buckets, which each of its full collections
# walked again while the crowd was answered (bench/updates.py).
_Bucket = tuple[float, float, bool]


class Throttle:
    def __init__(self, burst: int = BURST, rate: float = RATE) -> None:
        self.burst = burst
        self.rate = rate
        self._buckets: dict[int, _Bucket] = {}

    def check(self, person: int, now: datetime) -> Verdict:
        at = now.timestamp()
        bucket = self._buckets.get(person)
        if bucket is None:
            if len(self._buckets) >= MAX_PEOPLE:
                self._forget_idle(at)
            bucket = (float(self.burst), at, False)
        tokens, before, warned = bucket
        tokens = min(self.burst, tokens + max(at - before, 0.0) * self.rate)
        if tokens >= 1:
            verdict, warned, tokens = Verdict.ALLOW, False, tokens - 1
        elif warned:
            verdict = Verdict.DROP
        else:
            verdict, warned = Verdict.WARN, True
        self._buckets[person] = (tokens, at, warned)
        return verdict

    def _forget_idle(self, at: float) -> None:
        full_again = self.burst / self.rate
        self._buckets = {
            person: bucket
            for person, bucket in self._buckets.items()
            if at - bucket[1] < full_again
        }
