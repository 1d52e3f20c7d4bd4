"""What admins are told: a pasted or fetched bulletin, corrections and their refusals, the
held reports and their findings, approvals, the logs, the stats, where a day's figures came
from; and the admin part of /help."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from bot import categories, texts
from bot.corrections import Corrected, Notified
from bot.figures import JUMP_FACTOR, JUMP_WINDOW_DAYS, Bulletin
from bot.ingest import Arrival, Outcome, tally
from bot.render.bulletin import bulletin
from bot.render.guide import COMMAND_DESCRIPTION
from bot.render.markup import escaped, fill
from bot.render.phrases import MISSING, maybe_number, signed, source_name, timestamp
from bot.render.sources import fetch_error, fetch_line
from bot.report import Finding, FindingKind, Report
from bot.store import (
    AuditEntry,
    Correction,
    DeliveryStatus,
    Fetch,
    Pruning,
    ReportStatus,
    StoredReport,
    SubscriberStatus,
)
from bot.texts import format_date, number

# The message naming each member of a vocabulary, in the language spoken (texts.message).
# Explicit, so that tests/test_texts.py can check every member has its message in every catalogue.
FINDING_DETAIL: Mapping[str, str] = {kind: f"DETAIL_{kind.name}" for kind in FindingKind}

OUTCOME_NAME: Mapping[str, str] = {
    **{change: f"OUTCOME_{change.name}" for change in Arrival},
    **{status: f"OUTCOME_{status.name}" for status in ReportStatus},
}

ARRIVAL_COUNT: Mapping[str, str] = {change: f"SUMMARY_{change.name}" for change in Arrival}

LANGUAGE_NAME: Mapping[str, str] = {"en": "LANGUAGE_NAME_EN", "uk": "LANGUAGE_NAME_UK"}


def held(reports: Sequence[tuple[StoredReport, Sequence[Finding]]]) -> str:
    """Each held report: when and where it came from, what is still wrong with it, and its
    figures (corrected ones marked), so an admin can judge it before approving."""
    if not reports:
        return texts.HELD_NONE
    lines = [fill(texts.HELD_HEADER, count=len(reports))]
    for report, left in reports:
        lines.append(
            fill(
                texts.HELD_ITEM,
                date=report.date.isoformat(),
                revision=report.revision,
                source=source_name(report.source),
                fetched=timestamp(report.fetched_at),
            )
        )
        lines += [fill(texts.HELD_REASON, detail=finding_detail(f)) for f in left]
        if not left:
            lines.append(texts.HELD_PASSES_NOW)
        lines.append(escaped(figures_line(report)))
    return "\n".join(lines)


# Facts of a finding that are changes, shown with their sign; facts that name a source.
_SIGNED_FACTS = {"rise", "says", "gives"}

_SOURCE_FACTS = {"source", "other_source"}


def finding_detail(finding: Finding) -> str:
    """What validation found, in the reader's language (plain text). A finding stored before
    findings kept their facts is said as it was stored, in English."""
    if not finding.facts:
        return finding.detail
    values: dict[str, object] = {}
    for name, value in finding.facts:
        if name in _SOURCE_FACTS:
            values[name] = source_name(str(value))
        elif isinstance(value, str):
            values[name] = format_date(date.fromisoformat(value))
        else:
            values[name] = signed(value) if name in _SIGNED_FACTS else number(value)
    if finding.category:
        values["name"] = categories.get(finding.category).name(texts.current_language())
    if finding.kind == FindingKind.JUMP:
        days = dict(finding.facts)["days"]
        template = texts.ngettext("DETAIL_JUMP", int(days))
        return template.format(factor=JUMP_FACTOR, window=JUMP_WINDOW_DAYS, **values)
    message = texts.message(FINDING_DETAIL[finding.kind])
    return message.format(**values)


def notes(found: Sequence[tuple[date, Finding]]) -> str:
    if not found:
        return texts.NOTES_NONE
    lines = [fill(texts.NOTES_HEADER, count=len(found))]
    lines += [f"{day.isoformat()} {escaped(finding_detail(f))}" for day, f in found]
    return "\n".join(lines)


def figures_line(report: StoredReport) -> str:
    """'Tanks 1,511 · Artillery systems 764 (corrected from 75) · ...' (plain text)."""
    parts = []
    for key in categories.sort_keys(report.totals):
        part = f"{categories.get(key).name(texts.current_language())} {number(report.totals[key])}"
        if key in report.corrections:
            old = maybe_number(report.corrections[key].old_value)
            part += " " + texts.CORRECTED_FROM.format(old=old)
        parts.append(part)
    return " · ".join(parts)


def admin_help(names: Sequence[str]) -> str:
    """The admin commands, for an admin's /help: each with its menu description."""
    lines = [texts.ADMIN_HELP]
    lines += [f"/{name} — {escaped(texts.message(COMMAND_DESCRIPTION[name]))}" for name in names]
    return "\n".join(lines)


def provenance(
    day: date, revisions: Sequence[StoredReport], corrections: Sequence[Correction]
) -> str:
    """Where each figure of a date came from, in the order it happened: every revision stored
    (which source, when, what became of it, which figures it changed) and every correction made
    or withdrawn."""
    language = texts.current_language()
    events: list[tuple[datetime, str]] = []
    previous: StoredReport | None = None
    for revision in revisions:
        line = fill(
            texts.PROVENANCE_REVISION,
            at=timestamp(revision.fetched_at),
            revision=revision.revision,
            source=source_name(revision.source),
            status=texts.message(OUTCOME_NAME[revision.status]),
        )
        if previous is not None:
            changed = [
                f"{categories.get(k).name(language)} {number(previous.totals[k])} → {number(v)}"
                for k, v in revision.totals.items()
                if k in previous.totals and previous.totals[k] != v
            ]
            if changed:
                line += "\n" + fill(texts.PROVENANCE_CHANGED, changes="; ".join(changed))
        events.append((revision.fetched_at, line))
        previous = revision
    for correction in corrections:
        name = categories.get(correction.category).name(language)
        events.append(
            (
                correction.created_at,
                fill(
                    texts.PROVENANCE_CORRECTION,
                    at=timestamp(correction.created_at),
                    id=correction.id,
                    author=correction.author,
                    name=name,
                    new=number(correction.new_value),
                    old=number(correction.old_value)
                    if correction.old_value is not None
                    else MISSING,
                    reason=correction.reason or MISSING,
                ),
            )
        )
        if correction.withdrawn_at is not None:
            events.append(
                (
                    correction.withdrawn_at,
                    fill(
                        texts.PROVENANCE_WITHDRAWN,
                        at=timestamp(correction.withdrawn_at),
                        id=correction.id,
                        author=correction.withdrawn_by or MISSING,
                    ),
                )
            )
    lines = [fill(texts.PROVENANCE_TITLE, date=format_date(day))]
    lines += [line for _, line in sorted(events, key=lambda event: event[0])]
    return "\n".join(lines)


def parsed(report: Report, outcome: Outcome, queued: int) -> str:
    """What a pasted bulletin was read as, and what became of it."""
    words = [outcome.change] if outcome.status is None else [outcome.change, outcome.status]
    state = ", ".join(texts.message(OUTCOME_NAME[word]) for word in words)
    lines = [fill(texts.PASTE_PARSED, date=format_date(report.date), outcome=state)]
    lines += [
        fill(
            "{name}: {total}",
            name=categories.get(key).name(texts.current_language()),
            total=number(report.totals[key]),
        )
        for key in categories.sort_keys(report.totals)
    ]
    lines += [fill(texts.HELD_REASON, detail=finding_detail(f)) for f in outcome.findings]
    if queued:
        lines.append(queued_for(queued))
    return "\n".join(lines)


def queued_for(count: int) -> str:
    """'Queued for 1 subscriber.', 'Його отримають 5 підписників.'"""
    return fill(texts.ngettext("QUEUED", count), count=number(count))


def announced(count: int) -> str:
    return fill(texts.ngettext("ANNOUNCED", count), queued=number(count))


def fetched(outcomes: Sequence[Outcome], queued: int, failures: dict[str, str]) -> str:
    """What a poll brought, and each source that did not answer (another one did)."""
    lines = [fill(texts.FETCHED, summary=tally_line(outcomes), queued=queued_for(queued))]
    lines += [
        fill(texts.SOURCE_FAILED, source=source_name(name), error=fetch_error(error))
        for name, error in failures.items()
    ]
    return "\n".join(lines)


def tally_line(outcomes: Sequence[Outcome]) -> str:
    """'2 new, 1 unchanged (1 held)', 'нових: 2, без змін: 1 (затримано: 1)'."""
    counts, held = tally(outcomes)
    parts = [
        texts.message(ARRIVAL_COUNT[kind]).format(count=number(count))
        for kind, count in counts.items()
    ]
    text = ", ".join(parts) or texts.SUMMARY_NOTHING
    if held:
        return texts.SUMMARY_HELD.format(summary=text, count=number(held))
    return text


def corrected(result: Corrected) -> str:
    """What a correction did: notices for a bulletin already out, or a held report released
    (with what was sent) or still held (with what is left)."""
    correction = result.correction
    values = {
        "id": correction.id,
        "name": categories.get(correction.category).name(texts.current_language()),
        "date": format_date(correction.date),
        "new": number(correction.new_value),
        "old": maybe_number(correction.old_value),
    }
    values = {name: escaped(str(value)) for name, value in values.items()}
    if result.held is None:
        count = result.notices.count
        if result.notices.more:
            notified = texts.NOTIFIED_MORE
        else:
            notified = fill(texts.ngettext("NOTIFIED", count), count=number(count))
        text = texts.CORRECTED.format(notified=notified, **values)
        if (count or result.notices.more) and result.notice:
            minutes = int(result.notice_in.total_seconds() // 60)
            preview = fill(texts.CORRECTION_PREVIEW, minutes=minutes, id=correction.id)
            text += f"\n\n{preview}\n\n{result.notice}"
        return text
    if result.released:
        return texts.CORRECTED_RELEASED.format(queued=queued_for(result.queued), **values)
    lines = [fill(texts.CORRECTED_STILL_HELD, **values)]
    lines += [fill(texts.HELD_REASON, detail=finding_detail(f)) for f in result.left]
    return "\n".join(lines)


def correction_refused(
    day: date,
    key: str,
    value: int,
    found: Sequence[tuple[date, Finding]],
    words: Sequence[str],
    prefix: str,
) -> str:
    """Why a correction was refused (each finding, and the day it is about), and the command
    that makes it anyway, to copy as typed where it was refused (`prefix`: '/' in a chat,
    'bulletin-bot ' in a shell; plain text: it is an error message)."""
    lines = [
        texts.CORRECTION_REFUSED.format(
            name=categories.get(key).name(texts.current_language()),
            value=number(value),
            date=format_date(day),
        )
    ]
    lines += [
        texts.CORRECTION_FINDING_ON.format(date=format_date(on), detail=finding_detail(f))
        for on, f in found
    ]
    lines.append(texts.CORRECTION_CONFIRM.format(command=confirmed_command(words, prefix)))
    return "\n".join(lines)


def confirmed_command(words: Sequence[str], prefix: str) -> str:
    """The correct command that makes a correction anyway, to copy (`prefix`: as typed there)."""
    confirm = "підтверджую" if texts.current_language() == "uk" else "confirm"
    return " ".join([f"{prefix}correct", *words, confirm])


def uncorrected(correction: Correction, value: int | None, notices: Notified) -> str:
    text = fill(
        texts.UNCORRECTED,
        id=correction.id,
        name=categories.get(correction.category).name(texts.current_language()),
        date=format_date(correction.date),
        value=maybe_number(value),
    )
    if notices.more:
        text += " " + texts.NOTIFIED_UNCORRECTED_MORE
    elif notices.count:
        told = texts.ngettext("NOTIFIED_UNCORRECTED", notices.count)
        text += " " + fill(told, count=number(notices.count))
    return text


def approved(report: StoredReport, queued: int, view: Bulletin | None) -> str:
    """The approval, and the bulletin exactly as subscribers get it."""
    lines = [
        texts.APPROVED.format(date=escaped(format_date(report.date)), queued=queued_for(queued))
    ]
    if view is not None:
        lines += ["", bulletin(view)]
    return "\n".join(lines)


def rejected(report: StoredReport) -> str:
    return fill(texts.REJECTED, date=format_date(report.date))


def corrections_log(corrections: Sequence[Correction]) -> str:
    if not corrections:
        return texts.CORRECTIONS_NONE
    lines = [texts.CORRECTIONS_HEADER]
    for c in corrections:
        withdrawn = ""
        if c.withdrawn_at:
            withdrawn = texts.CORRECTION_WITHDRAWN.format(
                by=c.withdrawn_by, at=timestamp(c.withdrawn_at)
            )
        lines.append(
            fill(
                texts.CORRECTION_LINE,
                id=c.id,
                date=c.date.isoformat(),
                name=categories.get(c.category).name(texts.current_language()),
                old=maybe_number(c.old_value),
                new=number(c.new_value),
                author=c.author,
                at=timestamp(c.created_at),
                reason=c.reason,
                withdrawn=withdrawn,
            )
        )
    return "\n".join(lines)


def audit_log(entries: Sequence[AuditEntry]) -> str:
    if not entries:
        return texts.AUDIT_NONE
    return "\n".join(
        fill(
            texts.AUDIT_LINE,
            at=timestamp(e.at),
            actor=e.actor,
            action=e.action,
            refused="" if e.allowed else texts.AUDIT_REFUSED,
            detail=e.detail,
        )
        for e in entries
    )


def stats(
    subscribers: dict[str, int],
    languages: dict[str, int],
    last_fetch: Fetch | None,
    held: int,
    deliveries: dict[str, int],
    database: tuple[int, int],
    pruning: Pruning | None,
) -> str:
    """The admin's /stats; `database` is its (size, free space) in bytes, `pruning` the last
    time the outbox was pruned."""
    size, free = database
    pruned = (
        fill(texts.STATS_PRUNED, at=timestamp(pruning.at), messages=number(pruning.messages))
        if pruning
        else texts.STATS_NOT_PRUNED
    )
    counts = fill(
        texts.STATS,
        active=subscribers.get(SubscriberStatus.ACTIVE, 0),
        blocked=subscribers.get(SubscriberStatus.BLOCKED, 0),
        gone=subscribers.get(SubscriberStatus.GONE, 0),
        unsubscribed=subscribers.get(SubscriberStatus.UNSUBSCRIBED, 0),
        languages=", ".join(
            f"{texts.message(LANGUAGE_NAME[k]) if k in LANGUAGE_NAME else k} {v}"
            for k, v in sorted(languages.items())
        )
        or MISSING,
        last_fetch=fetch_line(last_fetch),
        held=held,
        pending=deliveries.get(DeliveryStatus.PENDING, 0)
        + deliveries.get(DeliveryStatus.SENDING, 0),
        sent=deliveries.get(DeliveryStatus.SENT, 0),
        failed=deliveries.get(DeliveryStatus.FAILED, 0),
        skipped=deliveries.get(DeliveryStatus.SKIPPED, 0),
    )
    return "\n".join(
        (counts, fill(texts.STATS_DATABASE, size=megabytes(size), free=megabytes(free)), pruned)
    )


def pruned(messages: int, before: datetime, database: tuple[int, int]) -> str:
    """What `bulletin-bot prune` did, and the database after it."""
    size, free = database
    return fill(
        texts.PRUNED,
        messages=number(messages),
        before=timestamp(before),
        size=megabytes(size),
        free=megabytes(free),
    )


def megabytes(size: int) -> str:
    """Bytes as megabytes, to a tenth below 10 ('0.4', '812', '1,024')."""
    return number(size / 1_000_000, "#,##0.#" if size < 10_000_000 else "#,##0")
