"""The SQLite store: the schema, its migrations, and every query. The only package that writes SQL.

`Store` is one object over one file; each module here owns one kind of thing kept in it:

- `schema`: the tables, as a list of migrations;
- `database`: opening, migrating, write transactions, health check, backups;
- `reports`: fetched reports and revisions, and the effective view readers see;
- `corrections`: admin corrections laid over that view;
- `documented`: independent counts (Oryx's) as last imported;
- `subscribers`: subscriptions and each chat's language;
- `outbox`: every message to a chat, queued, claimed and finished;
- `broadcasts`: a message for every subscriber, queued a chunk of subscribers at a time;
- `logs`: the fetch log and the audit log;
- `messages`: announcements and alerts, written once and delivered later;
- `lease`: which process runs the bot on this database.
"""

from bot.store.broadcasts import Broadcast, Broadcasts
from bot.store.corrections import Correction
from bot.store.database import StoreError
from bot.store.documented import DocumentedCounts
from bot.store.lease import Lease, Leases
from bot.store.logs import AuditEntry, Fetch, Logs
from bot.store.messages import Messages
from bot.store.outbox import Delivery, DeliveryResult, DeliveryStatus, Outbox, OutboxKind
from bot.store.reports import Reports, ReportStatus, StoredReport
from bot.store.subscribers import Shape, Subscriber, Subscribers, SubscriberStatus, SummaryFormat


class Store(Reports, Subscribers, Outbox, Broadcasts, DocumentedCounts, Logs, Messages, Leases):
    """One SQLite file, migrated to the current schema when opened, with every query the bot
    makes of it."""


__all__ = [
    "AuditEntry",
    "Broadcast",
    "Correction",
    "Delivery",
    "DeliveryResult",
    "DeliveryStatus",
    "Fetch",
    "Lease",
    "OutboxKind",
    "ReportStatus",
    "Shape",
    "Store",
    "StoreError",
    "StoredReport",
    "Subscriber",
    "SubscriberStatus",
    "SummaryFormat",
]
