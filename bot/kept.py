"""Work read from the whole history, kept between calls and brought up to date by the days that
changed since (issue 29: at 20 years of history /records cost 6.7 times what it did at 4, an
export 5 times; a new day's now costs them the same at both, bench/README.md).

The record days (bot/trends.py) and the exports of the whole history (bot/export.py) read
every day of the war. Each is worked out once per database, kept in the memory of the process
that asks (for the bot, its drawing process: bot/drawing.py `in_store`), and at each later
call brought up to date from the dates changed since (bot/store/changes.py): a new day's
bulletin costs that day; a revision or a correction of an old day costs that day and the day
after it, whose change is counted from it. A change the rows do not explain, or more dates at
once than are worth patching one by one, and the whole history is read again.

Kept in memory, not in the database: the drawing process writing there would be a second writer
beside delivery's, and any write by another connection changes the bot's data version (bot/
store/reports.py `data_version`), so every answer and chart the bot keeps for crowds would be
worked out again after each. Not in a file: one more file beside the database for the operator
to protect, back up or not, and never leave beside another database. The price of memory is
that the first call after the bot (or its drawing process) starts reads the whole history
once, as every call did before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from bot.store import Mark, Store

T = TypeVar("T")

# More dates changed than this at once (a first import, a long backfill) and the whole history
# is read again: patching a day takes a few small reads (its figures, the day before's, its
# corrections: about a millisecond), so beyond a hundred or so a whole reading costs no more.
MOST_DAYS_PATCHED = 100
# Databases whose work is kept at once: the bot reads one; the tests and the benchmarks read
# several, one after another, and the oldest is let go.
DATABASES_KEPT = 2


@dataclass
class _Entry:
    mark: Mark
    value: Any


class Kept:
    """Values worked out from one database's whole history, kept per database and name, each
    with the mark of the data it was brought up to date with."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # values are patched in place
        self._databases: OrderedDict[tuple[Path, object], dict[Hashable, _Entry]] = OrderedDict()
        # How often a value was read from the whole history, and how often patched by days.
        self.builds = 0
        self.patches = 0

    def get(
        self,
        store: Store,
        name: Hashable,
        build: Callable[[Store], T],
        patch: Callable[[Store, T, set[date]], T | None],
    ) -> T:
        """The value `name` as of the data now: kept and patched by the days changed since
        (`patch(store, value, days)`, which may change `value` in place, or say None when
        it cannot: the value is then built again), or built (`build(store)`). A database in
        memory is never kept (there is no telling one from another): built every time."""
        value = self._get(store, name, build, patch, build_if_missing=True)
        assert value is not None
        return value

    def get_if_kept(
        self,
        store: Store,
        name: Hashable,
        build: Callable[[Store], T],
        patch: Callable[[Store, T, set[date]], T | None],
    ) -> T | None:
        """As `get`, but None rather than a value built: for work that can be done for less
        than the whole history when nothing is kept yet (an export of a week)."""
        return self._get(store, name, build, patch, build_if_missing=False)

    def _get(
        self,
        store: Store,
        name: Hashable,
        build: Callable[[Store], T],
        patch: Callable[[Store, T, set[date]], T | None],
        *,
        build_if_missing: bool,
    ) -> T | None:
        if store.identity is None:
            return build(store) if build_if_missing else None
        with self._lock, store.changes.reading():
            entries = self._entries(store)
            entry = entries.get(name)
            if entry is None and not build_if_missing:
                return None
            mark, changed = store.changes.since(entry.mark if entry else None)
            value: T | None = None
            if entry is not None and changed is not None and len(changed) <= MOST_DAYS_PATCHED:
                value = entry.value
                if changed:
                    days = changed | store.changes.following(changed)
                    try:
                        value = patch(store, entry.value, days)
                    except BaseException:
                        del entries[name]  # half patched: built again next time
                        raise
                    if value is not None:
                        self.patches += 1
            if value is None:
                value = build(store)
                self.builds += 1
            entries[name] = _Entry(mark, value)
            return value

    def forget(self) -> None:
        """Let go of everything kept: the next call of each reads the whole history."""
        with self._lock:
            self._databases.clear()

    def _entries(self, store: Store) -> dict[Hashable, _Entry]:
        """The values kept of this database file (the same path with another file behind it
        is another database), the least recently used database let go beyond DATABASES_KEPT."""
        key = (store.path.resolve(), store.identity)
        entries = self._databases.setdefault(key, {})
        self._databases.move_to_end(key)
        while len(self._databases) > DATABASES_KEPT:
            self._databases.popitem(last=False)
        return entries


# This process's: the drawing process keeps the bot's.
KEPT = Kept()


def forget() -> None:
    """Let go of everything this process keeps (a module-level function, so that it can be
    asked of the drawing process: the benchmarks measure the cold cost so)."""
    KEPT.forget()
