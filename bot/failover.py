"""Which of the configured sources gives the bulletin now.

The first source listed is preferred. The next one takes over, for the days the first lacks,
when the first has failed `[alerts] source_failures` polls in a row (one failed poll is a
blip, and waiting a few polls costs less than flapping between sources), or at once when the
first is behind: another source has a newer day than the newest it had when it last answered.
Whichever source gives a day, the others' versions of it are cross-checked (figures.cross_check),
so one source never silently overwrites another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.config import Config
from bot.store import Store


class Standing(StrEnum):
    """Why a source is passed over."""

    DOWN = "down"  # failed too many polls in a row
    BEHIND = "behind"  # another source has a newer day


@dataclass(frozen=True)
class SourceState:
    name: str
    failures: int  # polls in a row it failed, up to now
    newest: date | None  # the newest day it had when it last answered

    def after(self, answered: bool, newest: date | None) -> SourceState:
        """The state once one more poll has asked it."""
        if answered:
            return SourceState(self.name, 0, newest)
        return SourceState(self.name, self.failures + 1, self.newest)


@dataclass(frozen=True)
class Lead:
    """The source the bulletin comes from (None: no source can give it), and, when that is not
    the preferred one, why the preferred one was passed over."""

    name: str | None
    preferred: str
    passed_over: Standing | None = None

    @property
    def is_failover(self) -> bool:
        return self.name is not None and self.name != self.preferred


def states(store: Store, names: Sequence[str]) -> list[SourceState]:
    """Each source's standing as the fetch log tells it."""
    found = []
    for name in names:
        failures, _ = store.logs.consecutive_failed_fetches(name)
        good = store.logs.last_good_fetch(name)
        found.append(SourceState(name, failures, good.newest if good else None))
    return found


def choose(sources: Sequence[SourceState], down_after: int) -> Lead:
    """The first source, in order of preference, that is neither down nor behind another
    source that is up. One that has not answered yet, and has not failed often enough to be
    down, is waited for like any other."""
    up = [s for s in sources if s.failures < down_after]
    newest = max((s.newest for s in up if s.newest), default=None)
    passed_over: Standing | None = None
    for source in sources:
        if source.failures >= down_after:
            passed_over = passed_over or Standing.DOWN
        elif source.newest is not None and newest is not None and source.newest < newest:
            passed_over = passed_over or Standing.BEHIND
        else:
            return Lead(source.name, sources[0].name, passed_over)
    return Lead(None, sources[0].name, passed_over)


def now(store: Store, config: Config) -> tuple[list[SourceState], Lead]:
    """Each configured source's standing and the one the bulletin comes from, as of the last
    poll (what /sources shows)."""
    found = states(store, [source.kind for source in config.sources])
    return found, choose(found, config.alerts.source_failures)
