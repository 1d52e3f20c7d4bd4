"""What each chat was shown, kept after its outbox rows are pruned: a bit per chat and day.

A correction or errata notice goes to the chats that were sent the figure it changes, and
names only what each was shown (bot/notices.py): the bulletin (or card) of that day, and the
milestones of that day it was told of. That is all the outbox has to remember of a finished
message once it is pruned (bot/prune.py), so a pruned row leaves one bit behind:

- `shown_days`: for each chat, the days whose bulletin or card it was sent. A day's number is
  its days since 1970-01-01; a row holds 63 days (`block` = number // 63) in one integer, bit
  number % 63. A daily subscriber costs about 6 rows a year (~25 bytes each): 150 MB a year at
  a million subscribers, against 156 bytes a message in the outbox.
- `told_milestones`: the same, over milestones told: each milestone subject sent to anyone gets
  a number (`milestone_numbers`, a few hundred a year), and a chat a bit of it.

Both are filled by OR-ing bits in, so folding the same row twice, or days out of order, is
harmless. What is not kept: when a message went, its attempts and errors (the outbox tally
keeps how many went, failed or were skipped), and messages no notice asks about (charts,
digests, announcements, alerts, the notices themselves).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from bot.store.database import Part

# Bits a row holds: 63, so that every mask is a positive 64-bit integer in SQLite.
BITS = 63
_EPOCH = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    """A day as the number shown_days counts it by: days since 1970-01-01."""
    return day.toordinal() - _EPOCH


def block_and_bit(number: int) -> tuple[int, int]:
    """The row (`block`) and the bit within it that stand for a day's or milestone's number."""
    return number // BITS, 1 << (number % BITS)


class Shown(Part):
    """Folding finished outbox rows into bits, and asking them who was shown what."""

    def keep(
        self, bulletins: Iterable[tuple[int, date]], milestones: Iterable[tuple[int, str]]
    ) -> None:
        """Remember that each (chat, day) was sent that day's bulletin or card, and each
        (chat, milestone subject) was told of that milestone. Inside the caller's transaction
        (the outbox's pruning: the rows go in the same one)."""
        days: dict[tuple[int, int], int] = {}
        for chat_id, day in bulletins:
            block, bit = block_and_bit(day_number(day))
            days[block, chat_id] = days.get((block, chat_id), 0) | bit
        self._or_into("shown_days", "days", days)
        told = list(milestones)
        numbers = self._milestone_numbers({subject for _, subject in told})
        masks: dict[tuple[int, int], int] = {}
        for chat_id, subject in told:
            block, bit = block_and_bit(numbers[subject])
            masks[block, chat_id] = masks.get((block, chat_id), 0) | bit
        self._or_into("told_milestones", "milestones", masks)

    def _or_into(self, table: str, column: str, masks: dict[tuple[int, int], int]) -> None:
        self.db.conn.executemany(
            f"INSERT INTO {table} (block, chat_id, {column}) VALUES (?, ?, ?) "
            f"ON CONFLICT (block, chat_id) DO UPDATE SET {column} = {column} | excluded.{column}",
            [(block, chat_id, mask) for (block, chat_id), mask in masks.items()],
        )

    def _milestone_numbers(self, subjects: set[str]) -> dict[str, int]:
        """Each milestone subject's number, given one if it has none yet."""
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO milestone_numbers (subject) VALUES (?)",
            [(subject,) for subject in subjects],
        )
        found: dict[str, int] = {}
        for subject in subjects:
            row = self.db.execute(
                "SELECT number FROM milestone_numbers WHERE subject = ?", [subject]
            ).fetchone()
            found[subject] = int(row[0])
        return found

    def move(self, old_id: int, new_id: int) -> None:
        """A chat's bits follow it to its new id (a group become a supergroup), OR-ed into
        any it has there. Inside the caller's transaction. Looked up block by block over the
        blocks in use (a few dozen: a row a chat per 63 days or milestones), as the tables
        are ordered by block first and a scan of every chat's rows takes seconds at a
        million subscribers."""
        for table, column in (("shown_days", "days"), ("told_milestones", "milestones")):
            low, high = self.db.execute(f"SELECT MIN(block), MAX(block) FROM {table}").fetchone()
            if low is None:
                continue
            moved: dict[tuple[int, int], int] = {}
            for block in range(low, high + 1):
                row = self.db.execute(
                    f"SELECT {column} FROM {table} WHERE block = ? AND chat_id = ?",
                    [block, old_id],
                ).fetchone()
                if row:
                    moved[block, new_id] = row[0]
            self._or_into(table, column, moved)
            self.db.conn.executemany(
                f"DELETE FROM {table} WHERE block = ? AND chat_id = ?",
                [(block, old_id) for block, _ in moved],
            )

    def was_shown(self, chat_id: int, day: date) -> bool:
        """Whether the chat was sent the bulletin (or card) of `day`, by a row since pruned."""
        block, bit = block_and_bit(day_number(day))
        row = self.db.execute(
            "SELECT days & ? FROM shown_days WHERE block = ? AND chat_id = ?",
            [bit, block, chat_id],
        ).fetchone()
        return bool(row and row[0])

    def milestones_told(self, chat_id: int | None, day: date) -> list[str]:
        """The subjects of the milestones of `day` the chat (None: anyone) was told of, by
        rows since pruned."""
        rows = self.db.execute(
            "SELECT m.subject FROM milestone_numbers m WHERE m.subject LIKE ? AND (? IS NULL "
            "OR EXISTS (SELECT 1 FROM told_milestones t WHERE t.block = m.number / ? "
            "AND t.chat_id = ? AND t.milestones & (1 << (m.number % ?))))",
            [f"%@{day.isoformat()}", chat_id, BITS, chat_id, BITS],
        )
        return [subject for (subject,) in rows]

    def recipients_of_day(
        self, day: date, categories: Sequence[str], low: int, high: int
    ) -> list[int]:
        """Chats from `low` (not included) to `high` that were shown the figure of `day` of
        any of `categories`, by rows since pruned: sent that day's bulletin or card, by a
        subscription of all categories or of that one (as it is now, as for rows not pruned),
        or told of a milestone of that category that day."""
        block, bit = block_and_bit(day_number(day))
        follows, followed = following_any(categories)
        told, milestones = milestone_of_any("m.subject", categories, day)
        rows = self.db.execute(
            "SELECT d.chat_id FROM shown_days d LEFT JOIN subscribers s USING (chat_id) "
            f"WHERE d.block = ? AND d.chat_id > ? AND d.chat_id <= ? AND d.days & ? AND {follows} "
            "UNION SELECT t.chat_id FROM milestone_numbers m JOIN told_milestones t "
            "ON t.block = m.number / ? AND t.milestones & (1 << (m.number % ?)) "
            f"WHERE t.chat_id > ? AND t.chat_id <= ? AND {told}",
            [block, low, high, bit, *followed, BITS, BITS, low, high, *milestones],
        )
        return [chat_id for (chat_id,) in rows]


def following_any(categories: Sequence[str]) -> tuple[str, list[str]]:
    """SQL that holds for a subscription (`s`, perhaps none) of every category or of any of
    `categories`, and its parameters: whose bulletin showed one of their figures."""
    shows = " OR ".join(["instr(',' || s.categories || ',', ?) > 0"] * len(categories))
    return f"(COALESCE(s.categories, '') = '' OR {shows})", [f",{c}," for c in categories]


def milestone_of_any(subject: str, categories: Sequence[str], day: date) -> tuple[str, list[str]]:
    """SQL that holds when the milestone `subject` (a column: 'tanks:13000@DAY') is one of
    `day` in any of `categories`, and its parameters."""
    told = " OR ".join([f"{subject} LIKE ?"] * len(categories))
    return f"({told})", [f"{c}:%@{day.isoformat()}" for c in categories]


def chat_range(after: int | None, until: int | None) -> tuple[int, int]:
    """Chat ids after `after` up to `until` (None: no bound) as SQL bounds, low excluded."""
    return (
        after if after is not None else -(2**63),
        until if until is not None else 2**63 - 1,
    )
