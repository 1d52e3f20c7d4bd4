"""What a correction did (`Corrected`), and how long its notice waits (`CORRECTION_BATCH`).

bot/admin.py makes a `Corrected`, bot/render says it, and bot/notices.py batches the notices:
the value type lives apart from all three, so none of them imports another to name it (render
importing admin made admin -> notices -> render -> admin a cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.report import Finding
from bot.store import Correction, StoredReport

# A correction notice goes this long after the first correction of its bulletin, taking in
# every other made meanwhile (bot/notices.py); the admin's reply says how soon.
CORRECTION_BATCH = timedelta(minutes=10)


@dataclass(frozen=True)
class Notified:
    """Notices queued for a change: how many now, and whether more are being queued (a bot
    of more than a chunk of subscribers queues the rest as it sends)."""

    count: int
    more: bool = False


@dataclass(frozen=True)
class Corrected:
    """What a correction did: notices queued (a bulletin already out), or, on a held report,
    whether that report now passes and was released, or what is still wrong with it."""

    correction: Correction
    notices: Notified = Notified(0)
    held: StoredReport | None = None
    released: bool = False
    queued: int = 0
    left: tuple[Finding, ...] = ()
    # The notice those who got the bulletin will receive, as it reads now, and how soon.
    notice: str | None = None
    notice_in: timedelta = CORRECTION_BATCH
