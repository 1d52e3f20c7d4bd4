"""Where the figures come from and how fresh they are: /sources, the age note above a
reply, a source's error in the reader's language (admins see the error itself too)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from bot import logs, texts
from bot.config import SourceConfig
from bot.failover import Lead, SourceState, Standing
from bot.render.markup import fill
from bot.render.phrases import MISSING, source_name, timestamp
from bot.store import Fetch
from bot.subscriptions import zone_name
from bot.texts import format_date, format_short_date, number


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
        fill(
            texts.SOURCE_LINE_ADMIN,
            n=n,
            name=source_name(config.kind),
            url=logs.redact_url(config.url),
            last_fetch=fetch_line(fetch),
            newest=format_date(state.newest) if state.newest else MISSING,
        )
        if detailed
        else fill(
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
    return fill(
        texts.SOURCES,
        sources="\n".join(lines),
        lead=leading(lead, states[0]),
        first=format_date(first) if first else MISSING,
        last=format_date(last) if last else MISSING,
        days=number(days),
        beside=fill(
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
        return fill(texts.LEAD, source=source_name(lead.name))
    reason = (
        texts.PASSED_OVER_BEHIND
        if lead.passed_over == Standing.BEHIND and preferred.newest
        else texts.PASSED_OVER_DOWN
    )
    return fill(
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
        return fill(
            texts.ngettext("AGE_STALE", age),
            date=format_date(newest),
            days=age,
            checked=_checked(last_fetch, now_local),
        )
    if age == 1 and now_local.hour < MORNING_ENDS:
        return fill(texts.AGE_NOT_OUT_YET, checked=_checked(last_fetch, now_local))
    return None


def with_age(text: str, note: str | None) -> str:
    """A reply with the age note, if any, as its first line."""
    return f"{note}\n{text}" if note else text


def fetch_line(last_fetch: Fetch | None) -> str:
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
    return texts.LAST_FETCH.format(at=timestamp(last_fetch.at), result=result)


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
    return fill(texts.FETCH_FAILED_NOW, error=errors)


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
