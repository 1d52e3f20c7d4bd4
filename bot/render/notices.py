"""What the outbox carries besides bulletins: correction and errata notices, announcements,
alerts, and a group's notice that its forum topic went (bot/notices.py queues them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot import categories, texts
from bot.render.markup import fill
from bot.render.phrases import in_text, maybe_number
from bot.texts import format_date, number

Withdrawn = Sequence[tuple[str, int, int | None]]


# (category, the figure readers had, the figure now): what a notice names.
Changed = Sequence[tuple[str, int | None, int | None]]


def correction_notice(day: date, changed: Changed, withdrawn: Withdrawn = ()) -> str:
    """'Correction to the bulletin of 25 June 2022: Artillery systems 764, not 75.', and a
    line for each milestone announced that the corrected figures no longer pass."""
    notice = fill(texts.CORRECTION_NOTICE, date=format_date(day), changes=_changes(changed))
    return "\n".join([notice, *_withdrawals(withdrawn)])


def errata_notice(day: date, changed: Changed, withdrawn: Withdrawn = ()) -> str:
    """'The bulletin of 14 April 2022 was revised: Vehicles and fuel tanks 1,513, not 1,437.',
    and a line for each milestone announced that the revised figures no longer pass."""
    notice = fill(texts.ERRATA_NOTICE, date=format_date(day), changes=_changes(changed))
    return "\n".join([notice, *_withdrawals(withdrawn)])


def _changes(changed: Changed) -> str:
    return "; ".join(
        texts.CORRECTION_CHANGE.format(
            name=in_text(key),
            new=maybe_number(new),
            old=maybe_number(old),
        )
        for key, old, new in changed
    )


def _withdrawals(withdrawn: Withdrawn) -> list[str]:
    """'Tanks: not past 13,000 after all; the figure is now 12,999.'"""
    return [
        fill(
            texts.MILESTONE_WITHDRAWN,
            name=categories.get(key).name(texts.current_language()),
            value=number(value),
            total=maybe_number(total),
        )
        for key, value, total in withdrawn
    ]


def announcement(text: str) -> str:
    return fill(texts.ANNOUNCEMENT, text=text)


def alert(text: str) -> str:
    return fill(texts.ALERT, text=text)


def topic_gone(name: str | None) -> str:
    """'The topic “Daily losses”, where this chat's summaries went, was deleted, so they come
    here, to General, from now on. To have them in another topic, ...'."""
    which = fill(texts.TOPIC_GONE_NAMED, name=name) if name else texts.TOPIC_GONE_UNNAMED
    return texts.TOPIC_GONE.format(which=which)
