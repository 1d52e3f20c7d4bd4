"""Text for people: a bulletin, a few categories, the held list. No Telegram here.

Functions return Telegram-flavoured HTML (only <b> and escaped text), so the bot sends them as
they are and the command line turns them into plain text with `to_plain`. Everything that came
from outside (category names from a source, links, reasons) is escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

from bot import categories, links, logs, oryx, texts
from bot.cards import CardText
from bot.categories import Unknown
from bot.config import SourceConfig
from bot.failover import Lead, SourceState, Standing
from bot.figures import JUMP_FACTOR, JUMP_WINDOW_DAYS, Bulletin, Change, DayChange, Series
from bot.ingest import Arrival, Outcome, tally
from bot.report import Finding, FindingKind, Report
from bot.store import (
    AuditEntry,
    Correction,
    DeliveryStatus,
    Fetch,
    ReportStatus,
    Shape,
    StoredReport,
    Subscriber,
    SubscriberStatus,
    SummaryFormat,
)
from bot.subscriptions import HOME_ZONE, zone_name
from bot.summary import Digest
from bot.texts import format_date, format_range, format_short_date, number
from bot.trends import Comparison

# Where the bulletin is published: the day a correction was made is that day there.
HOME = ZoneInfo(HOME_ZONE)

if TYPE_CHECKING:  # admin renders its replies with this module
    from bot.admin import Corrected


# The message naming each member of a vocabulary, in the language spoken. Explicit, so that
# tests/test_texts.py can check every member has its message in every catalogue.
FINDING_DETAIL: Mapping[str, str] = {kind: f"DETAIL_{kind.name}" for kind in FindingKind}
FINDING_FOOTNOTE: Mapping[str, str] = {kind: f"FINDING_{kind.name}" for kind in FindingKind}
DIGEST_NAME: Mapping[str, str] = {digest: f"DIGEST_{digest.name}" for digest in Digest}
FORMAT_SHAPE: Mapping[str, str] = {
    SummaryFormat.SHORT: "SHAPE_FORMAT_SHORT",
    SummaryFormat.CARD: "SHAPE_FORMAT_CARD",
}
OUTCOME_NAME: Mapping[str, str] = {
    **{change: f"OUTCOME_{change.name}" for change in Arrival},
    **{status: f"OUTCOME_{status.name}" for status in ReportStatus},
}
ARRIVAL_COUNT: Mapping[str, str] = {change: f"SUMMARY_{change.name}" for change in Arrival}


def signed(value: int) -> str:
    """'+4', '0', '−14' (a real minus sign)."""
    if value == 0:
        return "0"
    return f"+{number(value)}" if value > 0 else f"−{number(-value)}"


def change_text(change: Change) -> str:
    if change.delta is None:
        return texts.CHANGE_NEW
    if change.delta < 0:
        template = texts.CHANGE_DOWN_CORRECTED if change.after_correction else texts.CHANGE_DOWN
        return template.format(delta=signed(change.delta))
    if change.span_days > 1:
        template = texts.ngettext("CHANGE_OVER_DAYS", change.span_days)
        return template.format(delta=signed(change.delta), days=change.span_days)
    return texts.CHANGE.format(delta=signed(change.delta))


def bulletin(view: Bulletin, keys: Sequence[str] = (), *, short: bool = False) -> str:
    """A day's bulletin, or just the categories in `keys`, with the link and the caveat.
    `short` (a subscriber's short summary): the date line, a line per category, what qualifies
    them and the caveat, with nothing between."""
    report = view.report
    shown = view.only(keys) if keys else view
    noted, footnotes = _qualified(view, shown)
    day_line = _fill(texts.DAY_LINE, date=format_date(report.date), day=report.day)
    lines = [f"<b>{title()}</b>", day_line] + ([] if short else [""])
    for change in shown.changes:
        category = categories.get(change.category)
        lines.append(
            _fill(
                texts.FIGURE_LINE,
                name=category.name(texts.current_language()),
                approx=texts.APPROXIMATELY if category.approximate else "",
                total=number(change.total),
                change=change_text(change),
                marker=texts.FOOTNOTE_MARKER if change.category in noted else "",
            )
        )
    if missing := view.missing(keys):
        names = ", ".join(in_text(k) for k in missing)
        lines.append(_fill(texts.NO_FIGURES_FOR, date=format_date(report.date), names=names))
    if short:
        return "\n".join([*lines, *footnotes, *_link_lines(report), caveat()])
    if footnotes:
        lines += ["", *footnotes]
    lines += ["", *_link_lines(report), caveat()]
    return "\n".join(lines)


def title() -> str:
    """'Russian losses since 24 Feb 2022 (claimed by Ukraine's General Staff)': whose losses,
    since when and by whose count, at the head of everything a reader may see alone."""
    return texts.TITLE.format(losses=texts.LOSSES)


def caveat() -> str:
    """The one-line caveat under every figure, ending with /about as a link that opens the
    bot on it (t.me/<bot>?start=about): a command does nothing in a channel's post or in an
    inline result shared into another chat, a link works there too."""
    link = links.about_link()
    about = f'<a href="{html.escape(link)}">/about</a>' if link else "/about"
    return texts.CAVEAT.format(about=about)


def in_text(key: str) -> str:
    """A category's name in the middle of a sentence: 'tanks', 'artillery systems', but
    'MLRS', 'БпЛА оперативно-тактичного рівня' (an abbreviation keeps its capitals)."""
    return mid_sentence(categories.get(key).name(texts.current_language()))


def mid_sentence(name: str) -> str:
    """A name as it stands inside a sentence: lower-case, unless it opens with an
    abbreviation (a word of more than one capital: ППО, БпЛА, MLRS)."""
    first = name.split(" ", 1)[0]
    if sum(letter.isupper() for letter in first) > 1:
        return name
    return name[:1].lower() + name[1:]


def compare_hint(key: str, day: date | None) -> str:
    """A line pointing to /compare for one category (of `day`, or the latest), put under its
    claim where Oryx has a count to set beside it: the independent count is a tap away."""
    word = categories.get(key).word(texts.current_language())
    command = f"/compare {word}" + (f" {day.isoformat()}" if day else "")
    return "\n" + _fill(texts.COMPARE_HINT, command=command)


def card(view: Bulletin, keys: Sequence[str] = ()) -> CardText:
    """What the daily card of a day says (bot/cards.py draws it): the figures of `keys` (all
    when none), marked and footnoted as in the text, and the source and caveat in small print
    (the link to the post is in the caption, where it can be tapped: never a raw URL in a
    picture)."""
    report = view.report
    shown = view.only(keys) if keys else view
    noted, footnotes = _qualified(view, shown)
    language = texts.current_language()
    rows = tuple(
        (
            categories.get(c.category).name(language)
            + (texts.FOOTNOTE_MARKER if c.category in noted else ""),
            (texts.APPROXIMATELY if categories.get(c.category).approximate else "")
            + number(c.total),
            change_text(c),
        )
        for c in shown.changes
    )
    small_print = [
        _fill(texts.CARD_SOURCE, via=_via(report.source)),
        texts.CARD_CAVEAT,
        *(to_plain(line) for line in footnotes),
    ]
    return CardText(
        title(),
        to_plain(_fill(texts.DAY_LINE, date=format_date(report.date), day=report.day)),
        rows,
        tuple(small_print),
    )


def milestone(value: int, reached: Change, view: Bulletin) -> str:
    """'Tanks: past 13,000', with the day's figure, its link and the caveat."""
    report = view.report
    lines = [
        _fill(
            texts.MILESTONE,
            losses=texts.LOSSES,
            name=in_text(reached.category),
            value=number(value),
            approx=texts.APPROXIMATELY if categories.get(reached.category).approximate else "",
            total=number(reached.total),
            change=change_text(reached),
            date=format_date(report.date),
        ),
        *_link_lines(report),
        caveat(),
    ]
    return "\n".join(lines)


def card_caption(view: Bulletin, keys: Sequence[str] = ()) -> str:
    """Under a daily card: whose losses, its date, and its figures as text too (short names,
    a line each) — a phone's notification, a screen reader and search see no picture — then
    the link and the caveat. Within Telegram's 1,024 characters for a caption, even with
    every category."""
    report = view.report
    shown = view.only(keys) if keys else view
    day_line = _fill(texts.DAY_LINE, date=format_date(report.date), day=report.day)
    figures = [
        _fill(
            texts.FIGURE_LINE,
            name=short_name(c.category),
            approx=texts.APPROXIMATELY if categories.get(c.category).approximate else "",
            total=number(c.total),
            change=change_text(c),
            marker="",
        )
        for c in shown.changes
    ]
    return "\n".join([f"<b>{title()}</b>", day_line, *figures, *_link_lines(report), caveat()])


def short_name(key: str) -> str:
    """A category's short name, as its button says it ('Artillery', «ББМ»): where a phone
    has a narrow line; the full name for a category with no short one."""
    short = getattr(texts, f"BUTTON_{key.upper()}", None)
    return short or categories.get(key).name(texts.current_language())


def _qualified(view: Bulletin, shown: Bulletin) -> tuple[set[str], list[str]]:
    """The categories shown that carry a footnote marker, and the footnotes: what validation
    noted and was accepted anyway, corrections of the day, and changes from a corrected day."""
    report = view.report
    notes = shown.notes()
    shown_keys = {c.category for c in shown.changes}
    noted = {f.category for f in notes if f.category} | (
        (set(report.corrections) | view.previous_corrected) & shown_keys
    )
    language = texts.current_language()
    footnotes = [
        _fill(
            texts.message(FINDING_FOOTNOTE[f.kind]),
            name=categories.get(f.category).name(language) if f.category else "",
        )
        for f in notes
    ] + [
        _fill(
            texts.CORRECTED_FOOTNOTE,
            name=categories.get(c.category).name(language),
            old=_maybe_number(c.old_value),
            new=number(c.new_value),
            on=format_date(c.created_at.astimezone(HOME).date()),
            reason=c.reason,
        )
        for key, c in report.corrections.items()
        if key in shown_keys
    ]
    if view.previous_date is not None:
        footnotes += [
            _fill(
                texts.CHANGE_FROM_CORRECTED_FOOTNOTE,
                name=categories.get(key).name(language),
                date=format_date(view.previous_date),
            )
            for key in categories.sort_keys(view.previous_corrected)
            if key in shown_keys and key not in report.corrections
        ]
    return noted, footnotes


# What stands for a figure or date that is not there: a dash, never '-' or '0'.
MISSING = "—"

# Telegram shows at most this much in a button's pop-up answer.
POPUP_LENGTH = 200


def popup(view: Bulletin, key: str | None, history: Series | None = None) -> str:
    """A button's answer for the tapping person alone (plain text): one category's figure on
    the bulletin's day, or its last days' changes, with the short caveat."""
    key = key or "personnel"
    name = categories.get(key).name(texts.current_language())
    if history is not None and history.days:
        changes = ", ".join(
            texts.TABLE_NEW if d.delta is None else signed(d.delta) for d in history.days
        )
        text = texts.POPUP_HISTORY.format(
            name=name,
            dates=format_range(history.days[0].date, history.days[-1].date),
            changes=changes,
            caveat=texts.POPUP_CAVEAT,
        )
    elif (change := next((c for c in view.changes if c.category == key), None)) is not None:
        text = texts.POPUP.format(
            name=name,
            date=format_date(view.report.date),
            approx=texts.APPROXIMATELY if categories.get(key).approximate else "",
            total=number(change.total),
            change=change_text(change),
            caveat=texts.POPUP_CAVEAT,
        )
    else:
        names = in_text(key)
        text = texts.NO_FIGURES_FOR.format(date=format_date(view.report.date), names=names)
    return text[:POPUP_LENGTH]


def _link_lines(report: StoredReport | None) -> list[str]:
    """The original post's line, when a link is known; else, for a day another source gave
    (the dataset, when the API was down or behind), which one (nothing for the rest: /sources
    says where the General Staff publishes)."""
    if report is None:
        return []
    if report.link:
        return [_fill(texts.ORIGINAL_POST, link=report.link)]
    taken_from = getattr(texts, f"TAKEN_FROM_{report.source.upper()}", None)
    return [taken_from] if taken_from else []


# However much was typed, an answer about unknown words stays short.
MOST_UNKNOWN_SHOWN = 3


def unknown_categories(unknown: Sequence[Unknown], example: str, prefix: str = "/") -> str:
    """'Unknown category “tankz”. Did you mean: tanks?' for each word, then the command to try
    (the message EXAMPLE_<example>, after `prefix`: '/' in a chat, 'bulletin-bot ' in a shell)
    with the first suggestion, in the reader's words."""
    language = texts.current_language()
    lines = []
    for item in unknown[:MOST_UNKNOWN_SHOWN]:
        line = _fill(texts.UNKNOWN_CATEGORY, word=texts.shown(item.word))
        if item.suggestions:
            words = ", ".join(categories.get(k).word(language) for k in item.suggestions)
            line += _fill(texts.DID_YOU_MEAN, suggestions=words)
        lines.append(line)
    offered = [key for item in unknown for key in item.suggestions] or ["tanks"]
    command = getattr(texts, f"EXAMPLE_{example.upper()}")
    lines.append(
        _fill(
            texts.CATEGORY_EXAMPLE,
            example=prefix + command.format(category=categories.get(offered[0]).word(language)),
        )
    )
    return "\n".join(lines)


def share(view: Bulletin, keys: Sequence[str], link: str) -> str:
    """A link to a bulletin, with what it shows: its date and categories."""
    names = ", ".join(in_text(k) for k in keys) or texts.ALL_CATEGORIES
    return _fill(texts.SHARE, date=format_date(view.report.date), names=names, link=link)


def no_report_on(day: date, nearest: date | None) -> str:
    if nearest is None:
        return _fill(texts.NO_REPORT_BEFORE, date=format_date(day))
    return _fill(texts.NO_REPORT_ON, date=format_date(day), nearest=format_date(nearest))


def held(reports: Sequence[tuple[StoredReport, Sequence[Finding]]]) -> str:
    """Each held report: when and where it came from, what is still wrong with it, and its
    figures (corrected ones marked), so an admin can judge it before approving."""
    if not reports:
        return texts.HELD_NONE
    lines = [_fill(texts.HELD_HEADER, count=len(reports))]
    for report, left in reports:
        lines.append(
            _fill(
                texts.HELD_ITEM,
                date=report.date.isoformat(),
                revision=report.revision,
                source=source_name(report.source),
                fetched=_timestamp(report.fetched_at),
            )
        )
        lines += [_fill(texts.HELD_REASON, detail=finding_detail(f)) for f in left]
        if not left:
            lines.append(texts.HELD_PASSES_NOW)
        lines.append(_escape(figures_line(report)))
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
    lines = [_fill(texts.NOTES_HEADER, count=len(found))]
    lines += [f"{day.isoformat()} {_escape(finding_detail(f))}" for day, f in found]
    return "\n".join(lines)


def figures_line(report: StoredReport) -> str:
    """'Tanks 1,511 · Artillery systems 764 (corrected from 75) · ...' (plain text)."""
    parts = []
    for key in categories.sort_keys(report.totals):
        part = f"{categories.get(key).name(texts.current_language())} {number(report.totals[key])}"
        if key in report.corrections:
            old = _maybe_number(report.corrections[key].old_value)
            part += " " + texts.CORRECTED_FROM.format(old=old)
        parts.append(part)
    return " · ".join(parts)


# The bot's other replies ---------------------------------------------------------------------


def start() -> str:
    return texts.START.format(caveat=caveat())


def about() -> str:
    return texts.ABOUT.format(caveat_long=texts.CAVEAT_LONG)


def help_text() -> str:
    language = texts.current_language()
    names = ", ".join(c.word(language) for c in categories.CATEGORIES if c.last_reported is None)
    return _fill(texts.HELP, categories=names)


def admin_help(names: Sequence[str]) -> str:
    """The admin commands, for an admin's /help: each with its menu description."""
    lines = [texts.ADMIN_HELP]
    lines += [f"/{name} — {_escape(getattr(texts, f'COMMAND_{name.upper()}'))}" for name in names]
    return "\n".join(lines)


def sources(
    configured: Sequence[SourceConfig],
    states: Sequence[SourceState],
    lead: Lead,
    last_fetches: Sequence[Fetch | None],
    stored: tuple[date | None, date | None, int],
    documented_to: date,
    *,
    now_local: datetime,
    detailed: bool = False,
) -> str:
    """Where the figures come from: each source in order of preference with its last check,
    the one the bulletin comes from now (and why, when it is not the first), the history kept,
    the independent counts beside it (to `documented_to`), and how far to trust it all.

    Readers see each source by name and whether it answered, at their local time (`now_local`'s
    zone); `detailed` (an admin, in private) adds its URL and the error, both without the
    credentials or query values a URL may carry."""
    first, last, days = stored
    lines = [
        _fill(
            texts.SOURCE_LINE_ADMIN,
            n=n,
            name=source_name(config.kind),
            url=logs.redact_url(config.url),
            last_fetch=_fetch_line(fetch),
            newest=format_date(state.newest) if state.newest else MISSING,
        )
        if detailed
        else _fill(
            texts.SOURCE_LINE,
            n=n,
            name=source_name(config.kind),
            checked=_checked(fetch, now_local, listed=True),
            newest=format_date(state.newest) if state.newest else MISSING,
        )
        for n, (config, state, fetch) in enumerate(
            zip(configured, states, last_fetches, strict=True), start=1
        )
    ]
    return _fill(
        texts.SOURCES,
        sources="\n".join(lines),
        lead=leading(lead, states[0]),
        first=format_date(first) if first else MISSING,
        last=format_date(last) if last else MISSING,
        days=number(days),
        beside=_fill(
            texts.SOURCES_BESIDE,
            date=format_date(documented_to),
            attribution=texts.ORYX_ATTRIBUTION,
        ),
        caveat_long=texts.CAVEAT_LONG,
    )


def leading(lead: Lead, preferred: SourceState) -> str:
    """Which source the bulletin comes from now; when not the preferred one, why."""
    if lead.name is None:
        return texts.LEAD_NONE
    if not lead.is_failover:
        return _fill(texts.LEAD, source=source_name(lead.name))
    reason = (
        texts.PASSED_OVER_BEHIND
        if lead.passed_over == Standing.BEHIND and preferred.newest
        else texts.PASSED_OVER_DOWN
    )
    return _fill(
        texts.LEAD_INSTEAD,
        source=source_name(lead.name),
        reason=reason.format(
            preferred=source_name(preferred.name),
            date=format_date(preferred.newest) if preferred.newest else MISSING,
        ),
    )


# Before this hour (where the bulletin is published) yesterday's bulletin is the expected newest.
MORNING_ENDS = 12


def age_note(newest: date | None, now_local: datetime, last_fetch: Fetch | None) -> str | None:
    """A line saying how old the newest figures are, when they are not today's or yesterday's
    (or, in the morning, that today's is not out yet); None when they are fresh. It says when
    the source was last checked, in `now_local`'s zone, and whether it answered (`_checked`)."""
    if newest is None:
        return None
    age = (now_local.date() - newest).days
    if age > 1:
        return _fill(
            texts.ngettext("AGE_STALE", age),
            date=format_date(newest),
            days=age,
            checked=_checked(last_fetch, now_local),
        )
    if age == 1 and now_local.hour < MORNING_ENDS:
        return _fill(texts.AGE_NOT_OUT_YET, checked=_checked(last_fetch, now_local))
    return None


def with_age(text: str, note: str | None) -> str:
    """A reply with the age note, if any, as its first line."""
    return f"{note}\n{text}" if note else text


def _fetch_line(last_fetch: Fetch | None) -> str:
    """A fetch as admins see it: when (UTC) and the error as it came, without the
    credentials or query values of any URL it quotes (bot/poll.py removes them before a fetch
    is recorded; fetches recorded by earlier versions still have them)."""
    if last_fetch is None:
        return texts.LAST_FETCH_NEVER
    result = (
        texts.FETCH_OK
        if last_fetch.ok
        else texts.FETCH_FAILED.format(detail=fetch_error(logs.redact_urls(last_fetch.detail)))
    )
    return texts.LAST_FETCH.format(at=_timestamp(last_fetch.at), result=result)


# What a source's failure says (bot/sources/http.py, api.py, dataset.py write it in English,
# for the log, after the URL): each shape, and the message that says it in the reader's
# language. The log keeps the error as it came.
_FETCH_ERRORS = (
    (re.compile(r"network error\b.*"), "FETCH_ERROR_NETWORK"),
    (re.compile(r"timed out"), "FETCH_ERROR_TIMEOUT"),
    (re.compile(r"HTTP (?P<status>\d{3})"), "FETCH_ERROR_HTTP"),
    (re.compile(r"returned HTML\b.*"), "FETCH_ERROR_HTML"),
    (re.compile(r"returned invalid JSON\b.*"), "FETCH_ERROR_BAD_JSON"),
    (re.compile(r"response larger than (?P<most>[\d,]+) bytes"), "FETCH_ERROR_TOO_LARGE"),
    (re.compile(r"unexpected content\b.*"), "FETCH_ERROR_CONTENT"),
    (re.compile(r"paging does not end\b.*"), "FETCH_ERROR_PAGING"),
)
_GAVE_UP = re.compile(r"(?P<what>.*) \(gave up after (?P<attempts>\d+) attempts\)")


def fetch_error(detail: str) -> str:
    """A source's error in the reader's language: 'URL: could not connect (gave up after 3
    attempts)', «URL: не вдалося зʼєднатися (після 3 спроб)». The URL stays as it was written
    (redacted before it was recorded); an error of a shape this version does not know, as
    it came."""
    url, separator, what = detail.partition(": ")
    if not separator or " " in url:
        url, what = "", detail
    attempts = None
    if tried := _GAVE_UP.fullmatch(what):
        what, attempts = tried["what"], int(tried["attempts"])
    for pattern, name in _FETCH_ERRORS:
        if found := pattern.fullmatch(what):
            values = {k: number(int(v.replace(",", ""))) for k, v in found.groupdict().items()}
            said = texts.message(name).format(**values)
            break
    else:
        return detail
    if attempts is not None:
        said += " " + texts.ngettext("FETCH_ERROR_ATTEMPTS", attempts).format(count=attempts)
    return f"{url}: {said}" if url else said


def fetch_failed(failures: Mapping[str, str]) -> str:
    """/fetch when no source answered: each source, by name, and what went wrong with it."""
    errors = "; ".join(
        f"{source_name(source)}: {fetch_error(error)}" for source, error in failures.items()
    )
    return _fill(texts.FETCH_FAILED_NOW, error=errors)


def _checked(last_fetch: Fetch | None, now_local: datetime, *, listed: bool = False) -> str:
    """When the source was last asked, at the reader's local time, and whether it answered:
    never the error, which is in English, may quote a URL, and is for the log and admins.
    As a sentence of an age note, or (`listed`) as a phrase of /sources' list."""
    if last_fetch is None:
        return texts.SOURCE_CHECK_NEVER if listed else texts.AGE_CHECKED_NEVER
    if last_fetch.ok:
        template = texts.SOURCE_CHECK_OK if listed else texts.AGE_CHECKED_OK
    else:
        template = texts.SOURCE_CHECK_FAILED if listed else texts.AGE_CHECKED_FAILED
    return template.format(at=_local_time(last_fetch.at, now_local))


def _local_time(moment: datetime, now_local: datetime) -> str:
    """'at 09:30 (Kyiv time)' in `now_local`'s zone; 'on 5 August at 09:30 (Kyiv time)' when
    it is not today there."""
    zone = now_local.tzinfo
    local = moment.astimezone(zone)
    key = getattr(zone, "key", None) or local.tzname() or "UTC"
    zone_text = (
        texts.KYIV_TIME
        if key in ("Europe/Kyiv", "Europe/Kiev")
        else texts.ZONE_TIME.format(zone=zone_name(key, texts.current_language()))
    )
    clock = local.strftime("%H:%M")
    if local.date() == now_local.date():
        return texts.LOCAL_TIME.format(time=clock, zone=zone_text)
    return texts.LOCAL_DAY_TIME.format(
        day=format_short_date(local.date()), time=clock, zone=zone_text
    )


def history(data: Series, newest: StoredReport | None = None) -> str:
    """A compact table of a category's last days: totals, changes, average and largest day,
    with the link to the newest day's original post."""
    name = categories.get(data.category).name(texts.current_language())
    if not data.days:
        return _fill(texts.HISTORY_NONE, name=in_text(data.category))
    rows = [_history_row(*texts.HISTORY_HEADER.split("|"))]
    # Days as a reader writes them, short: '7 Aug', «7 серп.» (with the year, when the days
    # run into another one), never an ISO date.
    pattern = "d MMM" if data.days[0].date.year == data.days[-1].date.year else "d MMM y"
    for day in data.days:
        change = texts.TABLE_NEW if day.delta is None else signed(day.delta)
        if day.delta is not None and day.span_days > 1:
            change += texts.TABLE_OVER_DAYS.format(days=day.span_days)
        written = babel_dates.format_date(day.date, pattern, locale=texts.current_language())
        rows.append(_history_row(written, number(day.total), change))
    lines = [
        _fill(texts.ngettext("HISTORY_TITLE", len(data.days)), name=name, days=len(data.days)),
        "<pre>" + _escape("\n".join(rows)) + "</pre>",
    ]
    if (found := data.average()) is not None:
        average, covered = found
        lines.append(
            _fill(
                texts.ngettext("HISTORY_AVERAGE", covered),
                days=covered,
                average=("+" if average >= 0 else "−") + number(abs(average), "#,##0.0"),
            )
        )
    if (largest := data.largest()) is not None:
        lines.append(
            _fill(
                texts.HISTORY_LARGEST,
                change=signed(largest.delta or 0),
                date=format_date(largest.date),
            )
        )
    lines += ["", *_link_lines(newest), caveat()]
    return "\n".join(lines)


def _history_row(day: str, total: str, change: str) -> str:
    """One line of the /history table: the header and every row share these widths."""
    return f"{day:<13}  {total:>9}  {change:>9}"


def comparison(data: Comparison, newest: StoredReport | None) -> str:
    """/week and /month: each category's rise against the period before, and its record day."""
    lines = [
        _fill(
            texts.ngettext("TREND_TITLE", data.days),
            days=data.days,
            dates=format_range(data.first, data.last),
        ),
        "",
    ]
    for trend in data.trends:
        if trend.previous_rise is None:
            versus = texts.TREND_NOTHING_BEFORE
        else:
            percent = trend.change_percent
            previous = signed(trend.previous_rise)
            versus = (
                texts.TREND_VERSUS_ONLY.format(previous=previous)
                if percent is None  # nothing the period before: no percentage of it
                else texts.TREND_VERSUS.format(
                    previous=previous, percent=f"{percent:+.0f}%".replace("-", "−")
                )
            )
        values = {
            "name": categories.get(trend.category).name(texts.current_language()),
            "rise": ("≈" if trend.estimated else "") + signed(trend.rise),
            "comparison": versus,
        }
        if trend.largest is not None and trend.largest.delta:
            largest = texts.TREND_LARGEST.format(
                rise=signed(trend.largest.delta), date=format_short_date(trend.largest.date)
            )
            lines.append(_fill(texts.TREND_LINE, largest=largest, **values))
        else:
            lines.append(_fill(texts.TREND_LINE_NO_RECORD, **values))
    if data.missing:
        names = ", ".join(in_text(k) for k in data.missing)
        lines.append(_fill(texts.TREND_MISSING, names=names))
    lines += ["", *_link_lines(newest), caveat()]
    return "\n".join(lines)


def claimed_and_documented(rows: Sequence[oryx.Comparison], day: date) -> str:
    """Each category's claim beside Oryx's photo-confirmed count on one date, with what differs
    between them and the caveat that they measure different things; and, when the counts end
    before the day asked, that both figures are of that earlier day."""
    language = texts.current_language()
    on = rows[0].on if rows else day
    lines = [_fill(texts.COMPARE_TITLE, date=format_date(on))]
    for row in rows:
        category = categories.get(row.category)
        name = category.name(language)
        if row.counted_from is not None:
            lines.append(
                _fill(texts.COMPARE_NOT_YET, name=name, start=format_date(row.counted_from))
            )
        elif row.documented is None:  # not counted alike: the note is the whole line
            lines.append(_not_counted(category, language))
            continue
        elif row.claimed is None:
            documented = number(row.documented)
            lines.append(_fill(texts.COMPARE_NO_CLAIM, name=name, documented=documented))
        elif row.ratio is None:
            claimed = number(row.claimed)
            lines.append(_fill(texts.COMPARE_NONE_DOCUMENTED, name=name, claimed=claimed))
        else:
            # As good as equal: "1.0 times fewer" says nothing.
            same = round(row.ratio, 1) == 1
            lines.append(
                _fill(
                    texts.COMPARE_LINE_SAME if same else texts.COMPARE_LINE,
                    name=name,
                    claimed=number(row.claimed),
                    documented=number(row.documented),
                    ratio=number(round(row.ratio, 1), "#,##0.0"),
                )
            )
        if note := _oryx_note(category, language):
            lines.append(_fill(texts.COMPARE_NOTE, note=note))
    if on < day and any(categories.get(row.category).oryx_types for row in rows):
        lines += ["", _fill(texts.COMPARE_ENDS, date=format_date(on), asked=format_date(day))]
    lines.append("")
    lines.append(_fill(texts.COMPARE_CAVEAT, attribution=texts.ORYX_ATTRIBUTION))
    return "\n".join(lines)


def _via(source: str) -> str:
    """How the General Staff's bulletin reached us, after its name (', as republished by
    russianwarship.rip'); nothing for a text pasted from the General Staff's own post, nor
    for a source this version does not know."""
    return getattr(texts, f"VIA_{source.upper()}", None) or ""


def source_name(source: str) -> str:
    """Where a report came from, in the reader's words ('the public dataset'); a source this
    version does not know by name, as stored."""
    return getattr(texts, f"SOURCE_{source.upper()}", None) or source


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
        line = _fill(
            texts.PROVENANCE_REVISION,
            at=_timestamp(revision.fetched_at),
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
                line += "\n" + _fill(texts.PROVENANCE_CHANGED, changes="; ".join(changed))
        events.append((revision.fetched_at, line))
        previous = revision
    for correction in corrections:
        name = categories.get(correction.category).name(language)
        events.append(
            (
                correction.created_at,
                _fill(
                    texts.PROVENANCE_CORRECTION,
                    at=_timestamp(correction.created_at),
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
                    _fill(
                        texts.PROVENANCE_WITHDRAWN,
                        at=_timestamp(correction.withdrawn_at),
                        id=correction.id,
                        author=correction.withdrawn_by or MISSING,
                    ),
                )
            )
    lines = [_fill(texts.PROVENANCE_TITLE, date=format_date(day))]
    lines += [line for _, line in sorted(events, key=lambda event: event[0])]
    return "\n".join(lines)


def records(found: Sequence[tuple[str, DayChange]], key: str | None) -> str:
    if not found:
        return texts.RECORDS_NONE
    if key is None:
        lines = [texts.RECORDS_TITLE]
        lines += [
            _fill(
                texts.RECORD_LINE,
                name=categories.get(k).name(texts.current_language()),
                rise=signed(d.delta or 0),
                date=format_date(d.date),
            )
            for k, d in found
        ]
    else:
        lines = [
            _fill(texts.RECORDS_TITLE_ONE, name=categories.get(key).name(texts.current_language()))
        ]
        lines += [
            _fill(
                texts.RECORD_LINE_ONE,
                rank=rank,
                rise=signed(d.delta or 0),
                date=format_date(d.date),
            )
            for rank, (_, d) in enumerate(found, 1)
        ]
    lines += ["", caveat()]
    return "\n".join(lines)


def inline_all_title(view: Bulletin) -> str:
    """Plain text (Telegram shows inline titles as they are)."""
    return texts.INLINE_ALL_TITLE.format(date=format_date(view.report.date))


def inline_title(change: Change) -> str:
    category = categories.get(change.category)
    return texts.INLINE_TITLE.format(
        name=category.name(texts.current_language()),
        approx=texts.APPROXIMATELY if category.approximate else "",
        total=number(change.total),
        change=change_text(change),
    )


def inline_description(view: Bulletin) -> str:
    return texts.INLINE_DESCRIPTION.format(losses=texts.LOSSES, date=format_date(view.report.date))


def chart_caption(data: Sequence[Series], period: str, newest: StoredReport | None) -> str:
    """Under a chart: whose losses, and each category's figures as text — its total on the
    chart's last day and its rise over the period — for a phone's notification, a screen
    reader and search, which see no picture; then the caveat and the link."""
    lines = [f"<b>{title()}</b>"]
    for item in data:
        if not item.days:
            continue
        last = item.days[-1]
        category = categories.get(item.category)
        lines.append(
            _fill(
                texts.CHART_FIGURE,
                name=category.name(texts.current_language()),
                approx=texts.APPROXIMATELY if category.approximate else "",
                total=number(last.total),
                date=format_date(last.date),
                period=period,
                # A first figure (the war's first bulletin, a category's first) is all new.
                rise=signed(sum(d.total if d.delta is None else d.delta for d in item.days)),
            )
        )
    lines.append(caveat())
    if newest is not None:
        lines += _link_lines(newest)
    return "\n".join(lines)


def export_caption(first: date, last: date) -> str:
    """Under an exported file: the dates it covers and the caveat."""
    return texts.EXPORT_CAPTION.format(dates=_escape(format_range(first, last)), caveat=caveat())


def _oryx_note(category: categories.Category, language: str) -> str:
    """Where Oryx's types do not match the category one to one, what differs."""
    return category.oryx_note_uk if language == "uk" else category.oryx_note_en


def _not_counted(category: categories.Category, language: str) -> str:
    """The line for a category Oryx does not count alike (or not at all), saying why."""
    note = _oryx_note(category, language) or texts.COMPARE_UNCOUNTED
    return _fill(texts.COMPARE_NONE, name=category.name(language), note=note)


def undrawn_beside(
    key: str, first: date | None, last: date | None, counts: oryx.OryxCounts
) -> str | None:
    """Why a chart asked to draw Oryx's count beside the claim of `key` from `first` to `last`
    (None: from the beginning, to the latest) draws none, if it does not: Oryx does not count
    that category alike, or its counts lie outside the period."""
    category = categories.get(key)
    language = texts.current_language()
    name = in_text(key)
    counted_from = counts.first_date(category.oryx_types)
    if counted_from is None:
        return _not_counted(category, language)
    counted_to = counts.last_date()
    if (last is not None and last < counted_from) or (first is not None and first > counted_to):
        return _fill(
            texts.CHART_ORYX_OUTSIDE,
            name=name,
            dates=texts.format_range(counted_from, counted_to),
            word=category.word(language),
        )
    return None


def subscription(subscriber: Subscriber | None, template: str = "SETTINGS") -> str:
    """A chat's daily summary settings, in the message `template` (SETTINGS or SUBSCRIBED)."""
    if subscriber is None or subscriber.status != SubscriberStatus.ACTIVE:
        return texts.SETTINGS_NONE
    when = _fill(texts.WHEN_AT, time=subscriber.send_at) if subscriber.send_at else texts.WHEN_ASAP
    digests = ", ".join(texts.message(DIGEST_NAME[d]) for d in subscriber.digests)
    return _fill(
        getattr(texts, template),
        when=when,
        zone=zone_name(subscriber.timezone, texts.current_language()),
        digests=digests,
        chart=texts.WITH_CHART if subscriber.with_chart else "",
        shape="".join(
            f" {part}"
            for part in _shape_parts(subscriber.shape, Digest.DAILY in subscriber.digests)
        ),
    )


def _shape_parts(shape: Shape, daily: bool) -> list[str]:
    """The choices beyond when, each a short sentence; none for what is as it comes, nor for
    what shapes a daily summary the chat does not get (the format, quiet days, thresholds)."""
    parts = []
    if shape.categories:
        names = ", ".join(in_text(k) for k in shape.categories)
        parts.append(_fill(texts.SHAPE_CATEGORIES, names=names))
    if daily and shape.format != SummaryFormat.FULL:
        parts.append(texts.message(FORMAT_SHAPE[shape.format]))
    if daily and shape.skip_weekends:
        parts.append(texts.SHAPE_WEEKDAYS)
    if daily and shape.thresholds:
        limits = texts.OR.join(
            _fill(texts.THRESHOLD_ITEM, name=in_text(k), value=number(n))
            for k, n in shape.thresholds
        )
        parts.append(_fill(texts.SHAPE_THRESHOLDS, limits=limits))
    if shape.thread_id is not None:
        parts.append(texts.SHAPE_TOPIC)
    return parts


def unsubscribe_question(subscriber: Subscriber) -> str:
    """'Stop your summaries (daily, milestones)?', before the buttons that answer it."""
    digests = ", ".join(texts.message(DIGEST_NAME[d]) for d in subscriber.digests)
    return _fill(texts.UNSUBSCRIBE_QUESTION, digests=digests)


def unsubscribed(subscriber: Subscriber) -> str:
    """'Unsubscribed: no more summaries (weekly (Mondays)).' naming what stopped."""
    digests = ", ".join(texts.message(DIGEST_NAME[d]) for d in subscriber.digests)
    return _fill(texts.UNSUBSCRIBED, digests=digests)


# Admin replies and notices ---------------------------------------------------------------


def parsed(report: Report, outcome: Outcome, queued: int) -> str:
    """What a pasted bulletin was read as, and what became of it."""
    words = [outcome.change] if outcome.status is None else [outcome.change, outcome.status]
    state = ", ".join(texts.message(OUTCOME_NAME[word]) for word in words)
    lines = [_fill(texts.PASTE_PARSED, date=format_date(report.date), outcome=state)]
    lines += [
        _fill(
            "{name}: {total}",
            name=categories.get(key).name(texts.current_language()),
            total=number(report.totals[key]),
        )
        for key in categories.sort_keys(report.totals)
    ]
    lines += [_fill(texts.HELD_REASON, detail=finding_detail(f)) for f in outcome.findings]
    if queued:
        lines.append(queued_for(queued))
    return "\n".join(lines)


def queued_for(count: int) -> str:
    """'Queued for 1 subscriber.', 'Його отримають 5 підписників.'"""
    return _fill(texts.ngettext("QUEUED", count), count=number(count))


def announced(count: int) -> str:
    return _fill(texts.ngettext("ANNOUNCED", count), queued=number(count))


def fetched(outcomes: Sequence[Outcome], queued: int, failures: dict[str, str]) -> str:
    """What a poll brought, and each source that did not answer (another one did)."""
    lines = [_fill(texts.FETCHED, summary=tally_line(outcomes), queued=queued_for(queued))]
    lines += [
        _fill(texts.SOURCE_FAILED, source=source_name(name), error=fetch_error(error))
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
        "old": _maybe_number(correction.old_value),
    }
    values = {name: _escape(str(value)) for name, value in values.items()}
    if result.held is None:
        notified = _fill(texts.ngettext("NOTIFIED", result.notices), count=number(result.notices))
        text = texts.CORRECTED.format(notified=notified, **values)
        if result.notices and result.notice:
            minutes = int(result.notice_in.total_seconds() // 60)
            preview = _fill(texts.CORRECTION_PREVIEW, minutes=minutes, id=correction.id)
            text += f"\n\n{preview}\n\n{result.notice}"
        return text
    if result.released:
        return texts.CORRECTED_RELEASED.format(queued=queued_for(result.queued), **values)
    lines = [_fill(texts.CORRECTED_STILL_HELD, **values)]
    lines += [_fill(texts.HELD_REASON, detail=finding_detail(f)) for f in result.left]
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


def uncorrected(correction: Correction, value: int | None, notices: int = 0) -> str:
    text = _fill(
        texts.UNCORRECTED,
        id=correction.id,
        name=categories.get(correction.category).name(texts.current_language()),
        date=format_date(correction.date),
        value=_maybe_number(value),
    )
    if notices:
        text += " " + _fill(texts.ngettext("NOTIFIED_UNCORRECTED", notices), count=number(notices))
    return text


def approved(report: StoredReport, queued: int, view: Bulletin | None) -> str:
    """The approval, and the bulletin exactly as subscribers get it."""
    lines = [
        texts.APPROVED.format(date=_escape(format_date(report.date)), queued=queued_for(queued))
    ]
    if view is not None:
        lines += ["", bulletin(view)]
    return "\n".join(lines)


def rejected(report: StoredReport) -> str:
    return _fill(texts.REJECTED, date=format_date(report.date))


def _maybe_number(value: int | None) -> str:
    return MISSING if value is None else number(value)


Withdrawn = Sequence[tuple[str, int, int | None]]
# (category, the figure readers had, the figure now): what a notice names.
Changed = Sequence[tuple[str, int | None, int | None]]


def correction_notice(day: date, changed: Changed, withdrawn: Withdrawn = ()) -> str:
    """'Correction to the bulletin of 25 June 2022: Artillery systems 764, not 75.', and a
    line for each milestone announced that the corrected figures no longer pass."""
    notice = _fill(texts.CORRECTION_NOTICE, date=format_date(day), changes=_changes(changed))
    return "\n".join([notice, *_withdrawals(withdrawn)])


def errata_notice(day: date, changed: Changed, withdrawn: Withdrawn = ()) -> str:
    """'The bulletin of 14 April 2022 was revised: Vehicles and fuel tanks 1,513, not 1,437.',
    and a line for each milestone announced that the revised figures no longer pass."""
    notice = _fill(texts.ERRATA_NOTICE, date=format_date(day), changes=_changes(changed))
    return "\n".join([notice, *_withdrawals(withdrawn)])


def _changes(changed: Changed) -> str:
    return "; ".join(
        texts.CORRECTION_CHANGE.format(
            name=in_text(key),
            new=_maybe_number(new),
            old=_maybe_number(old),
        )
        for key, old, new in changed
    )


def _withdrawals(withdrawn: Withdrawn) -> list[str]:
    """'Tanks: not past 13,000 after all; the figure is now 12,999.'"""
    return [
        _fill(
            texts.MILESTONE_WITHDRAWN,
            name=categories.get(key).name(texts.current_language()),
            value=number(value),
            total=_maybe_number(total),
        )
        for key, value, total in withdrawn
    ]


def corrections_log(corrections: Sequence[Correction]) -> str:
    if not corrections:
        return texts.CORRECTIONS_NONE
    lines = [texts.CORRECTIONS_HEADER]
    for c in corrections:
        withdrawn = ""
        if c.withdrawn_at:
            withdrawn = texts.CORRECTION_WITHDRAWN.format(
                by=c.withdrawn_by, at=_timestamp(c.withdrawn_at)
            )
        lines.append(
            _fill(
                texts.CORRECTION_LINE,
                id=c.id,
                date=c.date.isoformat(),
                name=categories.get(c.category).name(texts.current_language()),
                old=_maybe_number(c.old_value),
                new=number(c.new_value),
                author=c.author,
                at=_timestamp(c.created_at),
                reason=c.reason,
                withdrawn=withdrawn,
            )
        )
    return "\n".join(lines)


def audit_log(entries: Sequence[AuditEntry]) -> str:
    if not entries:
        return texts.AUDIT_NONE
    return "\n".join(
        _fill(
            texts.AUDIT_LINE,
            at=_timestamp(e.at),
            actor=e.actor,
            action=e.action,
            refused="" if e.allowed else texts.AUDIT_REFUSED,
            detail=e.detail,
        )
        for e in entries
    )


def announcement(text: str) -> str:
    return _fill(texts.ANNOUNCEMENT, text=text)


def alert(text: str) -> str:
    return _fill(texts.ALERT, text=text)


def stats(
    subscribers: dict[str, int],
    languages: dict[str, int],
    last_fetch: Fetch | None,
    held: int,
    deliveries: dict[str, int],
) -> str:
    return _fill(
        texts.STATS,
        active=subscribers.get(SubscriberStatus.ACTIVE, 0),
        blocked=subscribers.get(SubscriberStatus.BLOCKED, 0),
        gone=subscribers.get(SubscriberStatus.GONE, 0),
        unsubscribed=subscribers.get(SubscriberStatus.UNSUBSCRIBED, 0),
        languages=", ".join(
            f"{getattr(texts, f'LANGUAGE_NAME_{k.upper()}', k)} {v}"
            for k, v in sorted(languages.items())
        )
        or MISSING,
        last_fetch=_fetch_line(last_fetch),
        held=held,
        pending=deliveries.get(DeliveryStatus.PENDING, 0)
        + deliveries.get(DeliveryStatus.SENDING, 0),
        sent=deliveries.get(DeliveryStatus.SENT, 0),
        failed=deliveries.get(DeliveryStatus.FAILED, 0),
        skipped=deliveries.get(DeliveryStatus.SKIPPED, 0),
    )


def pieces(text: str, limit: int) -> list[str]:
    """A reply cut into messages of at most `limit` UTF-16 code units (how Telegram counts),
    at line boundaries. A <pre> table cut in two is closed at the end of one piece and opened
    again at the start of the next, so each piece is valid HTML on its own. (A single line
    longer than a piece is cut at a space: only an announcement could have one.)"""
    if _units(text) <= limit:
        return [text]
    budget = limit - len(_PRE_CLOSE)
    found: list[str] = []
    current, in_pre = "", False
    for line in _short_lines(text.split("\n"), budget - len(_PRE_OPEN)):
        candidate = f"{current}\n{line}" if current else line
        if current and _units(candidate) > budget:
            found.append(current + (_PRE_CLOSE if in_pre else ""))
            current = (_PRE_OPEN if in_pre else "") + line
        else:
            current = candidate
        for tag in re.findall(r"</?pre>", line):
            in_pre = tag == _PRE_OPEN
    found.append(current)
    return found


_PRE_OPEN, _PRE_CLOSE = "<pre>", "</pre>"


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _short_lines(lines: Sequence[str], most: int) -> list[str]:
    short = []
    for line in lines:
        while _units(line) > most:
            cut = line.rfind(" ", 0, most)
            cut = cut if cut > 0 else most
            short.append(line[:cut])
            line = line[cut:].lstrip(" ")
        short.append(line)
    return short


def escaped(text: str) -> str:
    """A plain sentence (an error message, say) made safe for Telegram HTML."""
    return _escape(text)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _fill(template: str, **values: object) -> str:
    """A trusted template (which may hold markup) filled with escaped values."""
    return template.format(**{name: _escape(str(value)) for name, value in values.items()})


def to_plain(text: str) -> str:
    """Telegram HTML as terminal text: tags dropped, entities decoded, and control characters
    (a terminal's escape codes, from what people typed) shown as escapes, never obeyed; so are
    the bidi controls that reorder what follows them on screen (after U+202E the rest of the
    line prints backwards), and the line and paragraph separators that fake a line of their own."""
    plain = html.unescape(re.sub(r"</?[a-z][^>]*>", "", text))
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode(), plain)


# C0 and C1 controls but tab and newline; Unicode's Bidi_Control characters (U+061C, U+200E,
# U+200F, U+202A-U+202E, U+2066-U+2069); U+2028 and U+2029.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
