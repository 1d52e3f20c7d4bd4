"""The SQLite store: the schema, its migrations, and every query. The only package that writes SQL.

`Store` is one database file (`database.Database`: opening, migrating, `transaction()`, the
identity check, backups) and its parts, one per kind of thing kept in it, each a small class
over the one shared connection. A call site names the part, so it says which tables it touches:
`store.outbox.claim_due(...)`, `store.subscribers.get(chat_id)`.

- `schema`: the tables, as a list of migrations;
- `database`: opening, migrating, write transactions, health check, backups;
- `store.reports`: fetched reports and revisions, and the effective view readers see;
- `store.corrections`: admin corrections laid over that view (reports are handed this part);
- `store.changes`: which days of that view changed since a mark (work kept from the whole
  history is brought up to date by those days: bot/kept.py);
- `store.documented`: independent counts (Oryx's) as last imported;
- `store.subscribers`: subscriptions and each chat's language;
- `store.outbox`: every message to a chat, queued, claimed and finished, then pruned;
- `store.shown`: what each chat was shown, a bit per day, kept from the outbox's pruned rows;
- `store.broadcasts`: a message for every subscriber, queued a chunk of subscribers at a time;
- `store.logs`: the fetch log, the audit log and the last download of each file;
- `store.messages`: announcements and alerts, written once and delivered later;
- `store.lease`: which process runs the bot on this database;
- `store.targets`: each chat's own milestones, and those a bulletin's totals reach.

sqlite-utils (the project's SQLite layer) does the plain work: a row inserted, upserted, updated
or deleted by its key, a row looked up by its key, a table read or replaced whole. SQL is
written out, deliberately, where a statement must decide something itself or sqlite-utils has
no word for it:

- claims: `outbox.claim_due` marks in flight what it read, in the same transaction;
  `outbox.release_in_flight` releases only while its holder has the lease, in one statement;
- the lease taken by compare-and-set (`lease.take`: one conditional UPDATE, or INSERT OR
  IGNORE, its rowcount the answer), and likewise an alert raised once per key
  (`messages.add_alert`), `lease.renew`, `corrections.withdraw` and the subscriber setters,
  whose answer is whether a row matched (sqlite-utils' `update` raises for a missing row);
- set-based queueing: `outbox.enqueue` (executemany, INSERT OR IGNORE on the unique key) and
  `broadcasts.queue_chunk` (one INSERT ... SELECT of a chunk of subscribers joined to a plan);
- reads that filter, join or aggregate: the effective view (`reports`, `corrections.live`),
  the outbox's and subscribers' counts, the poll history (`logs`), `reports.data_version`;
- pruning (`outbox.prune`): a chunk of finished rows read, their bits OR-ed into `shown` (an
  upsert that keeps the bits there) and the rows deleted, in one transaction;
- upserts that keep a column: `subscribers.subscribe` keeps `created_at`,
  `subscribers.set_chat_language` a language the chat chose; `broadcasts.start` starts over;
- a report with its figures and findings (`reports.add`, executemany: the whole history is
  imported so), and what runs on every update or send (`subscribers.chat_language`,
  `outbox.finish`), where sqlite-utils' reading of the table's schema would cost ~30-50 µs.

What the outbox keeps, and for how long: a row until it is finished and its bulletin is no
longer news (bot/prune.py `kept_since`: its row is what keeps a message from being queued
twice, and nothing queues it again then); of a pruned row, only who was sent which
day's bulletin or card and which milestones, a bit per chat and day (`shown`), which is what
correction and errata notices go by; and, in `outbox_tally`, how many messages were due in each
quarter hour and how each ended. Counts shown to admins (subscribers by status and language,
pending and today's messages) are kept by triggers (schema.py), so no count scans a table.
"""

from pathlib import Path

from bot.store.broadcasts import Broadcast, Broadcasts
from bot.store.changes import Changes, Mark
from bot.store.corrections import Correction, Corrections
from bot.store.database import Database, StoreError
from bot.store.documented import DocumentedCounts
from bot.store.lease import Lease, Leases
from bot.store.logs import AuditEntry, Fetch, Logs
from bot.store.messages import Messages
from bot.store.outbox import (
    Delivery,
    DeliveryResult,
    DeliveryStatus,
    Outbox,
    OutboxKind,
    Pruning,
)
from bot.store.reports import Reports, ReportStatus, StoredReport
from bot.store.shown import Shown
from bot.store.subscribers import Shape, Subscriber, Subscribers, SubscriberStatus, SummaryFormat
from bot.store.targets import Target, Targets


class Store(Database):
    """One SQLite file, migrated to the current schema when opened, and its parts: each makes
    the queries of one kind of thing kept in it, over this one connection, so that a
    `transaction()` may span several."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 10.0) -> None:
        super().__init__(path, busy_timeout=busy_timeout)
        self.corrections = Corrections(self)
        self.reports = Reports(self, self.corrections)
        self.changes = Changes(self)
        self.documented = DocumentedCounts(self)
        self.shown = Shown(self)
        self.subscribers = Subscribers(self, self.shown)
        self.outbox = Outbox(self, self.shown)
        self.broadcasts = Broadcasts(self)
        self.logs = Logs(self)
        self.messages = Messages(self)
        self.lease = Leases(self)
        self.targets = Targets(self)


__all__ = [
    "AuditEntry",
    "Broadcast",
    "Correction",
    "Delivery",
    "DeliveryResult",
    "DeliveryStatus",
    "Fetch",
    "Lease",
    "Mark",
    "OutboxKind",
    "Pruning",
    "ReportStatus",
    "Shape",
    "Store",
    "StoreError",
    "StoredReport",
    "Subscriber",
    "SubscriberStatus",
    "SummaryFormat",
    "Target",
]
