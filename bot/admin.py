"""What admins do, from Telegram or the command line: the same code, every action audited.

Corrections never touch fetched figures: each is a row of its own (who, when, old value, new
value, reason) and the effective figure is the newest correction in force. Held reports are
accepted or rejected as they are. Who is an admin is decided by the caller from the config file
alone (Telegram) or by having the server (the command line); `Desk.actor` says which.

Each method either returns what happened or raises AdminError with a sentence to show; nothing is
changed by a refused or mistaken command.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot import categories, render, texts
from bot.clock import Clock
from bot.config import Config
from bot.corrections import Corrected, Notified
from bot.dates import parse_user_date
from bot.errors import UserError
from bot.figures import JUMP_WINDOW_DAYS, Bulletin, History, bulletin_on, validate
from bot.ingest import Outcome, ingest, review
from bot.notices import (
    announce,
    correction_subject,
    notify_correction,
    text_for,
)
from bot.numbers import GROUP, NumberError, looks_numeric, whole
from bot.poll import alert_held
from bot.prune import prune as prune_outbox
from bot.publish import publish, publish_outcomes
from bot.report import MAX_FIGURE, Finding, FindingKind, Report
from bot.sources.text import BulletinParseError, parse_bulletin
from bot.store import AuditEntry, Correction, OutboxKind, ReportStatus, Store, StoredReport

MAX_TEXT = 3500  # an announcement must fit one Telegram message with its prefix
MAX_REASON = 300
ABSURD_FACTOR = 10
# The last word of a /correct that validation would refuse, when the admin means it.
CONFIRM_WORDS = {"confirm", "підтверджую"}


class AdminError(UserError):
    """A command that cannot be carried out; the message says why and what to type."""


@dataclass(frozen=True)
class Desk:
    store: Store
    config: Config
    clock: Clock
    actor: str  # "telegram:<user id>" or "cli:<login>"
    # How the admin types a command here (PREFIX): a refusal says what to type as it is typed.
    prefix: str

    @property
    def today(self) -> date:
        return self.config.schedule.today(self.clock.now())

    def _usage(self, template: str) -> AdminError:
        """A refusal with a message naming commands (USAGE_X, NO_HELD_REPORT, ...) as typed here."""
        return AdminError(template.format(prefix=self.prefix))

    def _audit(self, action: str, detail: str) -> None:
        self.store.logs.audit(self.actor, action, allowed=True, detail=detail, now=self.clock.now())

    # Corrections ---------------------------------------------------------------------------

    def correct(self, words: Sequence[str]) -> Corrected:
        """/correct DATE CATEGORY VALUE [REASON] [confirm], on the bulletin readers see or on a
        report waiting on hold (which is then validated again, and released if it now passes).

        The corrected day is validated as a fetched report is, against the days on both sides
        (below the day before, above the day after, an implausible jump, here or on the next
        day): a finding refuses it, with the figures, unless the last word confirms it."""
        words, confirmed = _confirmed(words, self.prefix)
        if len(words) < 3:
            raise self._usage(texts.USAGE_CORRECT)
        day = self._date(words[0])
        key, value, reason = self._category_value_reason(words[1:])
        accepted = self.store.reports.on(day)
        waiting = self.store.reports.newest_revision(day, ReportStatus.HELD)
        if waiting is not None and accepted is not None and waiting.id < accepted.id:
            waiting = None  # an older version than the one readers see
        if accepted is None and waiting is None:
            raise AdminError(
                texts.NO_REPORT_TO_CORRECT.format(date=texts.format_date(day), prefix=self.prefix)
            )
        target = self.store.reports.corrected(waiting) if waiting else accepted
        assert target is not None
        name = categories.get(key).name(texts.current_language())
        current = target.totals.get(key)
        if current == value:
            raise AdminError(
                texts.SAME_VALUE.format(
                    name=name, date=texts.format_date(day), value=texts.number(value)
                )
            )
        category = categories.get(key)
        if category.last_reported is not None and day > category.last_reported:
            raise AdminError(
                texts.CORRECTION_RETIRED.format(
                    name=name, last=texts.format_date(category.last_reported)
                )
            )
        if current is None and not confirmed:
            raise AdminError(
                texts.CORRECTION_NEW_FIGURE.format(
                    name=name,
                    date=texts.format_date(day),
                    command=render.confirmed_command(words, self.prefix),
                )
            )
        around = self._around(day, key)
        # An extra zero is exactly ten times: that too is a typo, confirmed or not.
        if around and value >= ABSURD_FACTOR * max(max(around), 1):
            raise AdminError(
                texts.ABSURD_VALUE.format(
                    value=texts.number(value),
                    name=name,
                    around=", ".join(texts.number(v) for v in around),
                )
            )
        found = check_correction(self.store, day, target.totals, key, value, self.today)
        if found and not confirmed:
            raise AdminError(render.correction_refused(day, key, value, found, words, self.prefix))
        now = self.clock.now()
        with self.store.transaction():
            correction = self.store.corrections.add(
                day, key, current, value, reason=reason, author=self.actor, now=now
            )
            confirmation = " (confirmed: " + "; ".join(f.detail for _, f in found) + ")"
            self._audit(
                "correct",
                f"#{correction.id} {day} {key} {current} -> {value} ({reason})"
                + (confirmation if found else ""),
            )
            if waiting is None:
                notices = notify_correction(self.store, correction, now=now)
                subject = correction_subject(self.store, correction.date, now)
                notice = text_for(self.store, OutboxKind.CORRECTION, subject)
                return Corrected(correction, notices=notices, notice=notice)
            left = review(self.store, waiting, self.today)
            if left:
                return Corrected(correction, held=waiting, left=tuple(left))
            queued = self._release(waiting, "released by a correction")
        return Corrected(correction, held=waiting, released=True, queued=queued)

    def _category_value_reason(self, words: Sequence[str]) -> tuple[str, int, str]:
        """'tanks 12 256 typo in the source' -> ('tanks', 12256, 'typo in the source').

        The value starts at the first word written as a number; a word of exactly three digits
        after it is its next group of thousands, as the bot writes them ("12 256"); any other
        number right after it ("12 56") makes the value unreadable, and it is refused."""
        start = next((i for i, word in enumerate(words) if looks_numeric(word)), None)
        if not start:  # no value, or no category before it
            raise self._usage(texts.USAGE_CORRECT)
        key = self._one_category(words[:start])
        end = start + 1
        while end < len(words) and GROUP.fullmatch(words[end]):
            end += 1
        if end < len(words) and looks_numeric(words[end]):
            end += 1  # "12 56": shown whole in the refusal
        try:
            value = whole(" ".join(words[start:end]), MAX_FIGURE)
        except NumberError as error:
            raise AdminError(f"{error} {texts.USAGE_CORRECT.format(prefix=self.prefix)}") from None
        rest = words[end:]
        if any(
            looks_numeric(after)
            for word, after in itertools.pairwise(rest)
            if _names_category(word)
        ):
            raise AdminError(texts.ONE_CATEGORY)  # "tanks 12243 artillery 47000"
        reason = " ".join(rest)[:MAX_REASON].strip() or texts.NO_REASON
        return key, value, reason

    def uncorrect(self, words: Sequence[str]) -> tuple[Correction, int | None, Notified]:
        """/uncorrect ID: withdraw a correction; the figure falls back to what came before, and
        whoever was told of it hears so (the notice, if it has not gone, says nothing of it)."""
        if len(words) != 1 or not re.fullmatch(r"[0-9]{1,12}", words[0]):
            raise self._usage(texts.USAGE_UNCORRECT)
        correction = self.store.corrections.get(int(words[0]))
        if correction is None or correction.withdrawn_at is not None:
            raise AdminError(texts.NO_SUCH_CORRECTION.format(id=words[0], prefix=self.prefix))
        now = self.clock.now()
        with self.store.transaction():
            self.store.corrections.withdraw(correction.id, author=self.actor, now=now)
            self._audit("uncorrect", f"#{correction.id} {correction.date} {correction.category}")
            notices = notify_correction(self.store, correction, now=now)
        report = self.store.reports.on(correction.date)
        return correction, report.totals.get(correction.category) if report else None, notices

    def corrections(self, words: Sequence[str]) -> list[Correction]:
        day = self._date(words[0]) if words else None
        return self.store.corrections.log(day)

    # Held reports --------------------------------------------------------------------------

    def approve(self, words: Sequence[str]) -> tuple[StoredReport, int, Bulletin | None]:
        """/approve DATE: accept the held report as it is (with any corrections made while it
        was held) and send it as any accepted report is sent; the bulletin as readers get it."""
        report = self._held(words, texts.USAGE_APPROVE)
        with self.store.transaction():
            queued = self._release(report, "approve")
        return report, queued, bulletin_on(self.store, report.date)

    def _release(self, report: StoredReport, action: str) -> int:
        """Accept a held report and queue what it brings (the daily bulletin if it is news,
        errata to whoever got an earlier version); how many messages were queued."""
        replaced = self.store.reports.newest_revision(report.date, ReportStatus.ACCEPTED)
        self.store.reports.set_status(report.id, ReportStatus.ACCEPTED)
        self._audit(action, f"{report.date} revision {report.revision}")
        return publish(
            self.store,
            report.date,
            replaced.id if replaced else None,
            now=self.clock.now(),
            today=self.today,
            home_zone=self.config.schedule.timezone,
        )

    def reject(self, words: Sequence[str]) -> StoredReport:
        """/reject DATE [REASON]: discard the held report (kept in the store, never shown)."""
        report = self._held(words[:1], texts.USAGE_REJECT)
        reason = " ".join(words[1:])[:MAX_REASON] or texts.NO_REASON
        with self.store.transaction():
            self.store.reports.set_status(report.id, ReportStatus.REJECTED)
            self._audit("reject", f"{report.date} revision {report.revision} ({reason})")
        return report

    def notes(self, words: Sequence[str]) -> list[tuple[date, Finding]]:
        """/notes [DATE]: what validation noted on accepted bulletins (history accepted with a
        decrease, a jump...), of one date or all."""
        if len(words) > 1:
            raise self._usage(texts.USAGE_NOTES)
        return self.store.reports.notes(self._date(words[0]) if words else None)

    def held(self) -> list[tuple[StoredReport, list[Finding]]]:
        """Each report on hold with the corrections made to it laid over its figures, and what
        is still wrong with it as it now stands."""
        return [
            (self.store.reports.corrected(report), review(self.store, report, self.today))
            for report in self.store.reports.with_status(ReportStatus.HELD)
        ]

    def _held(self, words: Sequence[str], usage: str) -> StoredReport:
        if len(words) != 1:
            raise self._usage(usage)
        day = self._date(words[0])
        report = self.store.reports.newest_revision(day, ReportStatus.HELD)
        if report is None:
            raise AdminError(
                texts.NO_HELD_REPORT.format(date=texts.format_date(day), prefix=self.prefix)
            )
        return report

    # Bulletins pasted by hand, announcements -----------------------------------------------

    def ingest_text(self, text: str, link: str | None = None) -> tuple[Report, Outcome, int]:
        """A pasted or forwarded bulletin, through the same validation as a fetched one."""
        try:
            report = parse_bulletin(text, today=self.today, link=link, totals_on=self._shown)
        except BulletinParseError as error:
            raise AdminError(texts.PASTE_NOT_UNDERSTOOD.format(error=error)) from None
        now = self.clock.now()
        (outcome,) = ingest(
            self.store, [report], now=now, today=self.today, hold_suspicious=True, by_hand=True
        )
        alert_held(self.store, self.config, [outcome], now=now)
        queued = publish_outcomes(
            self.store,
            [outcome],
            now=now,
            today=self.today,
            home_zone=self.config.schedule.timezone,
        )
        self._audit("paste", f"{report.date} {outcome.change} {outcome.status or ''}".strip())
        return report, outcome, queued

    def _shown(self, day: date) -> dict[str, int] | None:
        """The totals readers see for `day` (corrections applied), if any: what settles a
        pasted text's ambiguous date."""
        report = self.store.reports.on(day)
        return dict(report.totals) if report else None

    def announce(self, text: str) -> int:
        text = text.strip()
        if not text:
            raise self._usage(texts.USAGE_ANNOUNCE)
        if len(text) > MAX_TEXT:
            raise AdminError(
                texts.ngettext("TEXT_TOO_LONG", len(text)).format(
                    length=texts.number(len(text)), most=texts.number(MAX_TEXT)
                )
            )
        with self.store.transaction():
            queued = announce(self.store, text, author=self.actor, now=self.clock.now())
            self._audit("announce", f"{queued} recipients: {text[:200]}")
        return queued

    def audit_log(self, words: Sequence[str]) -> list[AuditEntry]:
        if len(words) > 1 or (words and not re.fullmatch(r"[0-9]{1,5}", words[0])):
            raise self._usage(texts.USAGE_AUDIT)
        return self.store.logs.audit_log(int(words[0]) if words else 50)

    def stats(self) -> str:
        midnight = datetime.combine(self.today, time(0), tzinfo=self.config.schedule.zone)
        return render.stats(
            self.store.subscribers.counts(),
            self.store.subscribers.languages(),
            self.store.logs.last_fetch(),
            len(self.store.reports.with_status(ReportStatus.HELD)),
            self.store.outbox.counts_since(midnight),
            self.store.size(),
            self.store.outbox.last_pruning(),
        )

    def prune(self) -> str:
        """Prune the outbox now, as the running bot does every hour (bot/prune.py), resting
        between chunks as it does: a bot may be running on this database."""
        done = prune_outbox(
            self.store, now=self.clock.now(), zone=self.config.schedule.zone, rest=True
        )
        self._audit("prune", f"{done.messages} messages due before {done.before.isoformat()}")
        return render.pruned(done.messages, done.before, (done.size_bytes, done.free_bytes))

    # Arguments -----------------------------------------------------------------------------

    def _date(self, word: str) -> date:
        return parse_user_date(word, self.today)

    def _one_category(self, words: Sequence[str]) -> str:
        keys, unknown = categories.resolve(list(words))
        if unknown:
            raise AdminError(
                render.to_plain(render.unknown_categories(unknown, "correct", self.prefix))
            )
        if len(keys) != 1:
            raise AdminError(texts.ONE_CATEGORY)
        return keys[0]

    def _around(self, day: date, key: str) -> list[int]:
        """The category's totals on the accepted days just before and after `day`."""
        before = self.store.reports.latest_date(before=day)
        after = self.store.reports.effective_totals(since=day + timedelta(days=1))
        values = []
        if before and (report := self.store.reports.on(before)) and key in report.totals:
            values.append(report.totals[key])
        if after:
            first = after[min(after)]
            if key in first:
                values.append(first[key])
        return values


def _confirmed(words: Sequence[str], prefix: str) -> tuple[Sequence[str], bool]:
    """The words without a last word that confirms a correction on purpose, and whether it did.
    A confirming word anywhere else is refused: it may be part of the reason, or a slip."""
    confirmed = bool(words) and words[-1].casefold() in CONFIRM_WORDS
    words = words[:-1] if confirmed else words
    if any(word.casefold() in CONFIRM_WORDS for word in words):
        raise AdminError(texts.CONFIRM_LAST.format(prefix=prefix))
    return words, confirmed


def _names_category(word: str) -> bool:
    keys, unknown = categories.resolve([word])
    return bool(keys) and not unknown


def check_correction(
    store: Store, day: date, totals: Mapping[str, int], key: str, value: int, today: date
) -> list[tuple[date, Finding]]:
    """What validation would say of `day` with `key` set to `value`, and of the next stored day
    after it, that it does not say now: the findings a fetched report with that figure would
    get, about that category only. Of the next day only a jump is new: a fall to it is the
    corrected day's being above it, said once."""
    since = min(
        store.reports.latest_date(before=day) or day, day - timedelta(days=JUMP_WINDOW_DAYS + 1)
    )
    others = store.reports.effective_totals(since=since)
    others.pop(day, None)
    changed = {**totals, key: value}
    found = [
        (day, f) for f in validate(day, changed, History(others), today=today) if f.category == key
    ]
    following = History(others).next(day)
    if following is not None:
        next_day, next_totals = following

        def said_of_next_day(with_day: Mapping[str, int]) -> list[Finding]:
            days = {**others, day: with_day}
            days.pop(next_day)
            return [
                f
                for f in validate(next_day, next_totals, History(days), today=today)
                if f.category == key
            ]

        already = {(f.kind, f.detail) for f in said_of_next_day(totals)}
        found += [
            (next_day, f)
            for f in said_of_next_day(changed)
            if (f.kind, f.detail) not in already and f.kind == FindingKind.JUMP
        ]
    return found


# Every admin command, once. Telegram's gate, handlers and admin menu, the command line's
# subcommands, the admins' /help and the README's table all come from this table.
TELEGRAM, COMMAND_LINE = "telegram", "command line"
BOTH = frozenset({TELEGRAM, COMMAND_LINE})
# How each spells a command, before its name: a refusal names a command as the admin types it
# there ("/correct" in a chat, "bulletin-bot correct" at the server).
PREFIX = {TELEGRAM: "/", COMMAND_LINE: "bulletin-bot "}


@dataclass(frozen=True)
class AdminCommand:
    """One admin command: what it takes, what it does, and the reply (Telegram HTML).

    `answer` is None for a command whose Telegram side must do more than call the desk (it
    lives in bot/telegram/admin.py: /fetch polls the source)."""

    name: str
    arguments: str  # as its usage shows them: "DATE CATEGORY VALUE [REASON]"
    summary: str  # one line, for the command line's help and the README
    answer: Callable[[Desk, list[str]], str] | None
    where: frozenset[str] = BOTH
    # It takes free text (kept as typed, lines and all) rather than words.
    takes_text: bool = False


ADMIN_COMMANDS: tuple[AdminCommand, ...] = (
    AdminCommand(
        "held",
        "",
        "bulletins on hold, what is still wrong with each, and their figures",
        lambda desk, words: render.held(desk.held()),
    ),
    AdminCommand(
        "approve",
        "DATE",
        "accept a held bulletin as it is, and see it as subscribers get it",
        lambda desk, words: render.approved(*desk.approve(words)),
    ),
    AdminCommand(
        "reject",
        "DATE [REASON]",
        "discard a held bulletin: kept in the store, never shown",
        lambda desk, words: render.rejected(desk.reject(words)),
    ),
    AdminCommand(
        "correct",
        "DATE CATEGORY VALUE [REASON] [confirm]",
        "set one category's figure on one date; the fetched figure is kept",
        lambda desk, words: render.corrected(desk.correct(words)),
    ),
    AdminCommand(
        "uncorrect",
        "ID",
        "withdraw a correction",
        lambda desk, words: render.uncorrected(*desk.uncorrect(words)),
    ),
    AdminCommand(
        "corrections",
        "[DATE]",
        "the log of corrections, newest first, withdrawn ones included",
        lambda desk, words: render.corrections_log(desk.corrections(words)),
    ),
    AdminCommand(
        "notes",
        "[DATE]",
        "what validation noted on accepted bulletins",
        lambda desk, words: render.notes(desk.notes(words)),
    ),
    AdminCommand("fetch", "", "ask the source now and say what came", None, frozenset({TELEGRAM})),
    AdminCommand(
        "announce",
        "TEXT",
        "a message to every active subscriber, through the outbox",
        lambda desk, words: render.announced(desk.announce(" ".join(words))),
        takes_text=True,
    ),
    AdminCommand(
        "stats",
        "",
        "subscribers, the last fetch, held bulletins, today's deliveries",
        lambda desk, words: desk.stats(),
    ),
    AdminCommand(
        "prune",
        "",
        "remove finished messages whose bulletin is no longer news, keeping who was sent "
        "which day's figures (the running bot does it every hour)",
        lambda desk, words: desk.prune(),
        frozenset({COMMAND_LINE}),
    ),
    AdminCommand(
        "audit",
        "[N]",
        "the audit log, newest first: every admin action and refused attempt",
        lambda desk, words: render.audit_log(desk.audit_log(words)),
        frozenset({COMMAND_LINE}),
    ),
)


def admin_commands(where: str) -> tuple[AdminCommand, ...]:
    """The admin commands of Telegram or of the command line, in the table's order."""
    return tuple(c for c in ADMIN_COMMANDS if where in c.where)
