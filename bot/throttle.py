"""A per-person token bucket, so one person's flood does not slow anyone else. No Telegram here.

Each person may send BURST messages at once and then RATE a second. The first message over the
limit gets a polite word (WARN); the rest of that flood is dropped silently (DROP) until the
bucket refills.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass
class _Bucket:
    tokens: float
    at: datetime
    warned: bool = False


class Throttle:
    def __init__(self, burst: int = BURST, rate: float = RATE) -> None:
        self.burst = burst
        self.rate = rate
        self._buckets: dict[int, _Bucket] = {}

    def check(self, person: int, now: datetime) -> Verdict:
        bucket = self._buckets.get(person)
        if bucket is None:
            if len(self._buckets) >= MAX_PEOPLE:
                self._forget_idle(now)
            bucket = self._buckets[person] = _Bucket(float(self.burst), now)
        elapsed = max((now - bucket.at).total_seconds(), 0.0)
        bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _forget_idle(self, now: datetime) -> None:
        full_again = self.burst / self.rate
        self._buckets = {
            person: bucket
            for person, bucket in self._buckets.items()
            if (now - bucket.at).total_seconds() < full_again
        }
