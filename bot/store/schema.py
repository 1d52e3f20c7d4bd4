"""The schema: each migration upgrades the database by one version (SQLite's PRAGMA user_version).

The list is the schema's only definition. A database opened by this program is brought up to the
newest version, one transaction per step; tests/test_store.py opens one made at every earlier
version.
"""

from __future__ import annotations

# Each entry upgrades the schema by one version (PRAGMA user_version). Append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            date TEXT NOT NULL,
            day INTEGER NOT NULL,
            source TEXT NOT NULL,
            link TEXT,
            fetched_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            revision INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('accepted', 'held', 'rejected')),
            raw TEXT NOT NULL,
            UNIQUE (date, content_hash),
            UNIQUE (date, revision)
        )""",
        "CREATE INDEX reports_by_status_date ON reports (status, date)",
        """CREATE TABLE figures (
            report_id INTEGER NOT NULL REFERENCES reports (id),
            category TEXT NOT NULL,
            total INTEGER NOT NULL CHECK (total >= 0),
            source_increase INTEGER,
            PRIMARY KEY (report_id, category)
        ) WITHOUT ROWID""",
        """CREATE TABLE findings (
            report_id INTEGER NOT NULL REFERENCES reports (id),
            kind TEXT NOT NULL,
            category TEXT,
            detail TEXT NOT NULL
        )""",
        "CREATE INDEX findings_by_report ON findings (report_id)",
        """CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            source TEXT NOT NULL,
            ok INTEGER NOT NULL,
            detail TEXT NOT NULL
        )""",
    ),
    (
        """CREATE TABLE subscribers (
            chat_id INTEGER PRIMARY KEY,
            chat_type TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'unsubscribed', 'blocked', 'gone')),
            send_at TEXT,
            timezone TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT 'en',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            status_reason TEXT
        )""",
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            due_at TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            sent_at TEXT,
            UNIQUE (chat_id, kind, subject)
        )""",
        "CREATE INDEX outbox_due ON outbox (status, due_at)",
    ),
    (
        """CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            date TEXT NOT NULL,
            category TEXT NOT NULL,
            old_value INTEGER,
            new_value INTEGER NOT NULL CHECK (new_value >= 0),
            reason TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            withdrawn_at TEXT,
            withdrawn_by TEXT
        )""",
        "CREATE INDEX corrections_by_date ON corrections (date, category)",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            allowed INTEGER NOT NULL,
            detail TEXT NOT NULL
        )""",
        """CREATE TABLE announcements (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE alerts (
            key TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
    ),
    (
        """CREATE TABLE chats (
            chat_id INTEGER PRIMARY KEY,
            language TEXT NOT NULL,
            chosen INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        )""",
        "INSERT INTO chats (chat_id, language, chosen, updated_at) "
        "SELECT chat_id, language, 0, updated_at FROM subscribers",
    ),
    (
        "ALTER TABLE subscribers ADD COLUMN digests TEXT NOT NULL DEFAULT 'daily'",
        "ALTER TABLE subscribers ADD COLUMN with_chart INTEGER NOT NULL DEFAULT 0",
    ),
    (
        # The one running bot of this database (bot/instance.py); at most one row.
        """CREATE TABLE instance_lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            holder TEXT NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            acquired_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL
        )""",
    ),
    # A finding's figures and dates, so it can be said in the reader's language.
    ("ALTER TABLE findings ADD COLUMN facts TEXT",),
    (
        # A message for every active subscriber, queued a chunk of subscribers at a time
        # (bot/store/broadcasts.py): `after` is the last chat id queued so far.
        """CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            created_at TEXT NOT NULL,
            home_zone TEXT NOT NULL,
            after INTEGER,
            done INTEGER NOT NULL DEFAULT 0,
            UNIQUE (kind, subject)
        )""",
        "CREATE INDEX broadcasts_pending ON broadcasts (done)",
        # Subscribers by status, kept by triggers: a million-subscriber count without a scan.
        "CREATE TABLE subscriber_counts (status TEXT PRIMARY KEY, count INTEGER NOT NULL)",
        "INSERT INTO subscriber_counts SELECT status, COUNT(*) FROM subscribers GROUP BY status",
        """CREATE TRIGGER subscriber_added AFTER INSERT ON subscribers BEGIN
            INSERT OR IGNORE INTO subscriber_counts VALUES (NEW.status, 0);
            UPDATE subscriber_counts SET count = count + 1 WHERE status = NEW.status;
        END""",
        """CREATE TRIGGER subscriber_removed AFTER DELETE ON subscribers BEGIN
            UPDATE subscriber_counts SET count = count - 1 WHERE status = OLD.status;
        END""",
        """CREATE TRIGGER subscriber_changed AFTER UPDATE OF status ON subscribers
            WHEN OLD.status != NEW.status BEGIN
            UPDATE subscriber_counts SET count = count - 1 WHERE status = OLD.status;
            INSERT OR IGNORE INTO subscriber_counts VALUES (NEW.status, 0);
            UPDATE subscriber_counts SET count = count + 1 WHERE status = NEW.status;
        END""",
    ),
    (
        # Oryx's photo-confirmed counts as last imported (bot/oryx.py); empty: the bundled ones.
        """CREATE TABLE documented_counts (
            equipment_type TEXT NOT NULL,
            date TEXT NOT NULL,
            total INTEGER NOT NULL,
            PRIMARY KEY (equipment_type, date)
        )""",
    ),
    (
        # Each fetch keeps the newest date its source had, so "behind" can be told per source.
        "ALTER TABLE fetches ADD COLUMN newest TEXT",
        "CREATE INDEX fetches_by_source ON fetches (source, id)",
    ),
    (
        # What a subscriber shapes (bot/subscriptions.py): the categories of their summary (''
        # for all), its format, the forum topic it goes to, quiet days.
        "ALTER TABLE subscribers ADD COLUMN categories TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE subscribers ADD COLUMN format TEXT NOT NULL DEFAULT 'full'",
        "ALTER TABLE subscribers ADD COLUMN thread_id INTEGER",
        "ALTER TABLE subscribers ADD COLUMN skip_weekends INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE subscribers ADD COLUMN thresholds TEXT NOT NULL DEFAULT ''",
    ),
    (
        # The counts' triggers again, with a row for every status made up front: an INSERT OR
        # IGNORE in a trigger takes the conflict policy of the statement that fired it, and
        # the upsert of a chat subscribing again aborted on it.
        "INSERT OR IGNORE INTO subscriber_counts VALUES "
        "('active', 0), ('unsubscribed', 0), ('blocked', 0), ('gone', 0)",
        "DROP TRIGGER subscriber_added",
        "DROP TRIGGER subscriber_changed",
        """CREATE TRIGGER subscriber_added AFTER INSERT ON subscribers BEGIN
            UPDATE subscriber_counts SET count = count + 1 WHERE status = NEW.status;
        END""",
        """CREATE TRIGGER subscriber_changed AFTER UPDATE OF status ON subscribers
            WHEN OLD.status != NEW.status BEGIN
            UPDATE subscriber_counts SET count = count - 1 WHERE status = OLD.status;
            UPDATE subscriber_counts SET count = count + 1 WHERE status = NEW.status;
        END""",
    ),
    (
        # The last download of each file a source sent an ETag with (the dataset's two files,
        # zlib-compressed), so every process's next poll asks whether it changed (If-None-Match)
        # rather than download it again: a CLI `fetch` used to download 920 KB every time.
        """CREATE TABLE downloads (
            url TEXT PRIMARY KEY,
            etag TEXT NOT NULL,
            body BLOB NOT NULL
        )""",
    ),
    (
        # A pause (bot/subscriptions.py): nothing goes to the chat until then (UTC, ISO); NULL
        # or a time past: no pause. Kept after it ends, as the subject of its "back" notice.
        "ALTER TABLE subscribers ADD COLUMN paused_until TEXT",
    ),
    (
        # A chat's own milestones (`/milestones tanks 13000`, bot/milestones.py): each waits
        # until a bulletin's total reaches it, and goes when its alert is sent: the trigger
        # removes it in the transaction that records the send, so it is announced once,
        # however often the bot restarts or the bulletin is revised. (The subject it reads is
        # a milestone's: 'tanks:13000@2026-08-08', Milestone.subject.)
        """CREATE TABLE milestone_targets (
            chat_id INTEGER NOT NULL,
            category TEXT NOT NULL,
            value INTEGER NOT NULL CHECK (value > 0),
            created_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, category, value)
        ) WITHOUT ROWID""",
        "CREATE INDEX milestone_targets_by_category ON milestone_targets (category, value)",
        """CREATE TRIGGER milestone_target_announced AFTER UPDATE OF status ON outbox
            WHEN NEW.status = 'sent' AND NEW.kind = 'milestone' BEGIN
            DELETE FROM milestone_targets WHERE chat_id = NEW.chat_id
                AND category || ':' || value = substr(NEW.subject, 1, instr(NEW.subject, '@') - 1);
        END""",
        # The name of the forum topic a group's summaries go to, when Telegram said it: the
        # group is told which topic went if it is deleted (bot/notices.py topic_gone).
        "ALTER TABLE subscribers ADD COLUMN topic_name TEXT",
    ),
    (
        # Issue 29. What correction and errata notices need of the outbox, kept in a compact
        # form once its rows are pruned (bot/store/shown.py): for each chat, the days whose
        # bulletin (or card) it was sent and the milestones it was told of, a bit each. A
        # day's number is days since 1970-01-01, a milestone's its row in milestone_numbers;
        # `block` is the number divided by 63, the bit its remainder.
        """CREATE TABLE shown_days (
            block INTEGER NOT NULL,
            chat_id INTEGER NOT NULL,
            days INTEGER NOT NULL,
            PRIMARY KEY (block, chat_id)
        ) WITHOUT ROWID""",
        "CREATE TABLE milestone_numbers (number INTEGER PRIMARY KEY, subject TEXT NOT NULL UNIQUE)",
        """CREATE TABLE told_milestones (
            block INTEGER NOT NULL,
            chat_id INTEGER NOT NULL,
            milestones INTEGER NOT NULL,
            PRIMARY KEY (block, chat_id)
        ) WITHOUT ROWID""",
        # The last pruning: when, and how many messages it removed.
        """CREATE TABLE last_pruning (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            at TEXT NOT NULL,
            messages INTEGER NOT NULL
        )""",
        # Outbox messages by state ('pending' while unfinished, else how they ended) and the
        # quarter hour they were due in (unix time // 900: every time zone's midnight begins
        # one), kept by triggers: the pending count and today's deliveries without a scan. A
        # finished row pruned stays counted: the tally is the outbox's history.
        """CREATE TABLE outbox_tally (
            state TEXT NOT NULL,
            quarter INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (state, quarter)
        ) WITHOUT ROWID""",
        """INSERT INTO outbox_tally
            SELECT CASE WHEN status IN ('pending', 'sending') THEN 'pending' ELSE status END,
                COALESCE(unixepoch(due_at) / 900, 0), COUNT(*)
            FROM outbox GROUP BY 1, 2""",
        """CREATE TRIGGER outbox_queued AFTER INSERT ON outbox BEGIN
            INSERT INTO outbox_tally VALUES (
                CASE WHEN NEW.status IN ('pending', 'sending') THEN 'pending' ELSE NEW.status END,
                COALESCE(unixepoch(NEW.due_at) / 900, 0), 1)
            ON CONFLICT (state, quarter) DO UPDATE SET count = count + 1;
        END""",
        # A claim (pending to sending) changes nothing counted, and fires nothing; a send
        # finished moves its count from 'pending' to how it ended, a retry to its new time.
        """CREATE TRIGGER outbox_changed AFTER UPDATE OF status, due_at ON outbox
            WHEN (OLD.status != NEW.status
                  AND NOT (OLD.status IN ('pending', 'sending')
                           AND NEW.status IN ('pending', 'sending')))
              OR OLD.due_at != NEW.due_at BEGIN
            UPDATE outbox_tally SET count = count - 1
            WHERE state = CASE WHEN OLD.status IN ('pending', 'sending') THEN 'pending'
                               ELSE OLD.status END
              AND quarter = COALESCE(unixepoch(OLD.due_at) / 900, 0);
            INSERT INTO outbox_tally VALUES (
                CASE WHEN NEW.status IN ('pending', 'sending') THEN 'pending' ELSE NEW.status END,
                COALESCE(unixepoch(NEW.due_at) / 900, 0), 1)
            ON CONFLICT (state, quarter) DO UPDATE SET count = count + 1;
        END""",
        """CREATE TRIGGER outbox_dropped AFTER DELETE ON outbox
            WHEN OLD.status IN ('pending', 'sending') BEGIN
            UPDATE outbox_tally SET count = count - 1
            WHERE state = 'pending' AND quarter = COALESCE(unixepoch(OLD.due_at) / 900, 0);
        END""",
        # Active subscribers by the language of their summaries (their chat's, 'en' when it
        # has none), kept by triggers on both tables: /stats without joining every chat.
        "CREATE TABLE language_counts (language TEXT PRIMARY KEY, count INTEGER NOT NULL)",
        """INSERT INTO language_counts
            SELECT COALESCE(c.language, 'en'), COUNT(*)
            FROM subscribers s LEFT JOIN chats c USING (chat_id)
            WHERE s.status = 'active' GROUP BY 1""",
        """CREATE TRIGGER language_subscribed AFTER INSERT ON subscribers
            WHEN NEW.status = 'active' BEGIN
            INSERT INTO language_counts
                SELECT COALESCE((SELECT language FROM chats WHERE chat_id = NEW.chat_id), 'en'), 1
                WHERE true
            ON CONFLICT (language) DO UPDATE SET count = count + 1;
        END""",
        """CREATE TRIGGER language_unsubscribed AFTER DELETE ON subscribers
            WHEN OLD.status = 'active' BEGIN
            UPDATE language_counts SET count = count - 1 WHERE language =
                COALESCE((SELECT language FROM chats WHERE chat_id = OLD.chat_id), 'en');
        END""",
        """CREATE TRIGGER language_subscription_changed AFTER UPDATE OF status, chat_id
            ON subscribers WHEN (OLD.status = 'active' OR NEW.status = 'active')
                AND (OLD.status != NEW.status OR OLD.chat_id != NEW.chat_id) BEGIN
            UPDATE language_counts SET count = count - 1 WHERE OLD.status = 'active'
                AND language =
                    COALESCE((SELECT language FROM chats WHERE chat_id = OLD.chat_id), 'en');
            INSERT INTO language_counts
                SELECT COALESCE((SELECT language FROM chats WHERE chat_id = NEW.chat_id), 'en'), 1
                WHERE NEW.status = 'active'
            ON CONFLICT (language) DO UPDATE SET count = count + 1;
        END""",
        # A chat's language changes, or its row comes or goes (a chat without one reads 'en'):
        # the old language loses the chat and the new one gains it, if it subscribes.
        """CREATE TRIGGER language_chat_added AFTER INSERT ON chats
            WHEN NEW.language != 'en' AND EXISTS
                (SELECT 1 FROM subscribers WHERE chat_id = NEW.chat_id AND status = 'active')
            BEGIN
            UPDATE language_counts SET count = count - 1 WHERE language = 'en';
            INSERT INTO language_counts VALUES (NEW.language, 1)
            ON CONFLICT (language) DO UPDATE SET count = count + 1;
        END""",
        """CREATE TRIGGER language_chat_dropped AFTER DELETE ON chats
            WHEN OLD.language != 'en' AND EXISTS
                (SELECT 1 FROM subscribers WHERE chat_id = OLD.chat_id AND status = 'active')
            BEGIN
            UPDATE language_counts SET count = count - 1 WHERE language = OLD.language;
            INSERT INTO language_counts VALUES ('en', 1)
            ON CONFLICT (language) DO UPDATE SET count = count + 1;
        END""",
        """CREATE TRIGGER language_chat_changed AFTER UPDATE OF language, chat_id ON chats
            WHEN OLD.language != NEW.language OR OLD.chat_id != NEW.chat_id BEGIN
            UPDATE language_counts SET count = count - 1 WHERE language = OLD.language
                AND EXISTS (SELECT 1 FROM subscribers
                            WHERE chat_id = OLD.chat_id AND status = 'active');
            INSERT INTO language_counts SELECT 'en', 1 WHERE EXISTS
                (SELECT 1 FROM subscribers WHERE chat_id = OLD.chat_id AND status = 'active')
            ON CONFLICT (language) DO UPDATE SET count = count + 1;
            UPDATE language_counts SET count = count - 1 WHERE language = 'en'
                AND EXISTS (SELECT 1 FROM subscribers
                            WHERE chat_id = NEW.chat_id AND status = 'active');
            INSERT INTO language_counts SELECT NEW.language, 1 WHERE EXISTS
                (SELECT 1 FROM subscribers WHERE chat_id = NEW.chat_id AND status = 'active')
            ON CONFLICT (language) DO UPDATE SET count = count + 1;
        END""",
    ),
    (
        # Imports of Oryx's counts, counted as each is written (store/documented.py), whichever
        # process writes it (the command line's): what Reports.data_version takes from other
        # connections' commits, instead of every commit (the heartbeat's write probe every 10 s,
        # pruning and queueing each a connection of its own) dropping every answer kept for
        # crowds.
        """CREATE TABLE documented_changes (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            count INTEGER NOT NULL
        )""",
        "INSERT INTO documented_changes VALUES (1, 0)",
    ),
    (
        # Issue 29. Correction and errata notices are queued like a broadcast, a chunk of chats
        # at a time (bot/subscriptions.py), not all at once on the event loop: a correction of
        # a day a million were shown found them in 3 s and queued them in one transaction. The
        # categories whose figures changed, comma-separated, decide who is told; NULL for any
        # other broadcast.
        "ALTER TABLE broadcasts ADD COLUMN categories TEXT",
    ),
)
