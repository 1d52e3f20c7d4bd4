"""What a subscriber's weekly and monthly digests say: a calendar week or month against the one
before, full (with each category's largest day) or short (a line per category), and the
message a morning's digests make without a daily summary to carry them."""

from __future__ import annotations

from collections.abc import Sequence

from bot import texts
from bot.digests import Gap, Periodic, Span
from bot.render.history import trend_lines
from bot.render.markup import fill
from bot.render.phrases import caveat, link_lines, title
from bot.store import StoredReport
from bot.summary import Digest
from bot.texts import format_date, format_month, format_range


def period_name(digest: str, period: Span) -> str:
    """'the week of 27 July – 2 August 2026', 'July 2026': a digest's days of losses."""
    if digest == Digest.WEEKLY:
        return fill(texts.DIGEST_WEEK_NAME, dates=format_range(period.first, period.last))
    return format_month(period.first)


def digest(data: Periodic, keys: Sequence[str] = (), *, short: bool = False) -> str:
    """One digest, as a section of a message: its title (the period against the one before),
    for the full one which bulletins give those days, a line per category (of `keys`; none:
    all), and every bulletin missing in either period with the one that gives its losses.
    No link nor caveat: the message it goes in ends with them once."""
    lines = [_title(data)]
    if not short:
        first, last = data.period.bulletins
        lines += [fill(texts.DIGEST_BULLETINS, bulletins=format_range(first, last)), ""]
    largest = None if short else texts.TREND_LARGEST_BULLETIN
    lines += trend_lines(data.comparison.only(keys), largest)
    lines += [_gap(gap) for gap in data.gaps]
    return "\n".join(lines)


def _title(data: Periodic) -> str:
    if data.digest == Digest.WEEKLY:
        return fill(
            texts.DIGEST_WEEK_TITLE,
            dates=format_range(data.period.first, data.period.last),
            previous=format_range(data.previous.first, data.previous.last),
        )
    month = format_month(data.period.first)
    return fill(
        texts.DIGEST_MONTH_TITLE,
        month=month[:1].upper() + month[1:],
        days=texts.ngettext("PERIOD_DAYS", data.period.days).format(count=data.period.days),
        previous=format_month(data.previous.first),
        previous_days=texts.ngettext("PERIOD_DAYS", data.previous.days).format(
            count=data.previous.days
        ),
    )


def _gap(gap: Gap) -> str:
    """'No bulletin of 30 July 2026: the bulletin of 31 July 2026 gives the losses of 29–30
    July 2026 together.' (and, over a period's edge, that they were shared out by day)."""
    first, last = gap.missing
    none = (
        fill(texts.DIGEST_NO_BULLETIN_DAY, date=format_date(first))
        if first == last
        else fill(texts.DIGEST_NO_BULLETIN_DAYS, dates=format_range(first, last))
    )
    losses = format_range(gap.losses.first, gap.losses.last)
    if gap.reporter is None:
        return fill(texts.DIGEST_GAP_NOT_YET, none=none, losses=losses)
    return fill(
        texts.DIGEST_GAP_SHARED if gap.shared else texts.DIGEST_GAP,
        none=none,
        reporter=format_date(gap.reporter),
        losses=losses,
    )


def digests(sections: Sequence[str], newest: StoredReport | None) -> str:
    """A morning's digests without a daily summary: whose losses they are (the title every
    message with figures starts with), each section, then the link to the newest bulletin's
    post and the caveat, once."""
    return "\n\n".join([f"<b>{title()}</b>", *sections, "\n".join([*link_lines(newest), caveat()])])
