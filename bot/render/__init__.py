"""Text for people, in the reader's language, as Telegram HTML. No Telegram here.

Rooms by audience, each a module of this package:

    bulletin.py       a day's figures: the bulletin, its card and caption, pop-ups, inline, share
    history.py        figures over time: /history, /week and /month, /records, chart captions
    compare.py        the claim beside Oryx's photo-confirmed count
    sources.py        where the figures come from, how fresh they are, a source's error
    subscriptions.py  what a subscriber is told: settings, a pause, unsubscribing, milestones
    digests.py        a subscriber's weekly and monthly digests, full or short
    admin.py          what admins are told: corrections, held reports, logs, stats, provenance
    notices.py        correction and errata notices, announcements, alerts, a topic gone
    guide.py          the welcome, /about, /help, words that name no category
    phrases.py        what every room says alike: a change, a category's name, the caveat
    markup.py         escaping, filling a template, Telegram HTML as plain text
    splitting.py      a reply cut to Telegram's 4,096 characters, each piece valid HTML

Functions return Telegram-flavoured HTML (only <b>, <a>, <pre> and escaped text), so the bot sends
them as they are and the command line turns them into plain text with `to_plain`. Everything that
came from outside (category names from a source, links, reasons) is escaped.

Every public name is here too (`render.bulletin(...)`, `render.to_plain(...)`): a call site names
what it says, not which room says it, and moving a function between rooms changes no caller.
"""

from __future__ import annotations

from bot.render.admin import (
    ARRIVAL_COUNT,
    FINDING_DETAIL,
    LANGUAGE_NAME,
    OUTCOME_NAME,
    admin_help,
    announced,
    approved,
    audit_log,
    confirmed_command,
    corrected,
    correction_refused,
    corrections_log,
    fetched,
    figures_line,
    finding_detail,
    held,
    notes,
    parsed,
    provenance,
    pruned,
    queued_for,
    rejected,
    stats,
    tally_line,
    uncorrected,
)
from bot.render.bulletin import (
    FINDING_FOOTNOTE,
    HOME,
    POPUP_LENGTH,
    bulletin,
    card,
    card_caption,
    inline_all_title,
    inline_description,
    inline_title,
    no_report_on,
    popup,
    share,
)
from bot.render.compare import claimed_and_documented, compare_hint, undrawn_beside
from bot.render.digests import digest, digests, period_name
from bot.render.guide import (
    COMMAND_DESCRIPTION,
    EXAMPLE,
    MOST_UNKNOWN_SHOWN,
    about,
    help_text,
    start,
    unknown_categories,
)
from bot.render.history import (
    chart_caption,
    comparison,
    export_caption,
    history,
    records,
    trend_lines,
)
from bot.render.markup import escaped, to_plain
from bot.render.notices import (
    Changed,
    Withdrawn,
    alert,
    announcement,
    correction_notice,
    errata_notice,
    topic_gone,
)
from bot.render.phrases import (
    MISSING,
    SHORT_NAME,
    SOURCE_NAME,
    TAKEN_FROM,
    VIA,
    caveat,
    change_text,
    in_text,
    mid_sentence,
    short_name,
    signed,
    source_name,
    title,
)
from bot.render.sources import (
    MORNING_ENDS,
    age_note,
    fetch_error,
    fetch_failed,
    leading,
    sources,
    with_age,
)
from bot.render.splitting import pieces
from bot.render.subscriptions import (
    DIGEST_NAME,
    FORMAT_SHAPE,
    milestone,
    next_line,
    own_milestone_button,
    own_milestone_set,
    own_milestones,
    own_milestones_removed,
    pause_line,
    paused,
    resumed_notice,
    settings_view,
    subscription,
    threshold_button,
    thresholds_dropped,
    unsubscribe_question,
    unsubscribed,
)

__all__ = [
    "ARRIVAL_COUNT",
    "COMMAND_DESCRIPTION",
    "DIGEST_NAME",
    "EXAMPLE",
    "FINDING_DETAIL",
    "FINDING_FOOTNOTE",
    "FORMAT_SHAPE",
    "HOME",
    "LANGUAGE_NAME",
    "MISSING",
    "MORNING_ENDS",
    "MOST_UNKNOWN_SHOWN",
    "OUTCOME_NAME",
    "POPUP_LENGTH",
    "SHORT_NAME",
    "SOURCE_NAME",
    "TAKEN_FROM",
    "VIA",
    "Changed",
    "Withdrawn",
    "about",
    "admin_help",
    "age_note",
    "alert",
    "announced",
    "announcement",
    "approved",
    "audit_log",
    "bulletin",
    "card",
    "card_caption",
    "caveat",
    "change_text",
    "chart_caption",
    "claimed_and_documented",
    "compare_hint",
    "comparison",
    "confirmed_command",
    "corrected",
    "correction_notice",
    "correction_refused",
    "corrections_log",
    "digest",
    "digests",
    "errata_notice",
    "escaped",
    "export_caption",
    "fetch_error",
    "fetch_failed",
    "fetched",
    "figures_line",
    "finding_detail",
    "held",
    "help_text",
    "history",
    "in_text",
    "inline_all_title",
    "inline_description",
    "inline_title",
    "leading",
    "mid_sentence",
    "milestone",
    "next_line",
    "no_report_on",
    "notes",
    "own_milestone_button",
    "own_milestone_set",
    "own_milestones",
    "own_milestones_removed",
    "parsed",
    "pause_line",
    "paused",
    "period_name",
    "pieces",
    "popup",
    "provenance",
    "pruned",
    "queued_for",
    "records",
    "rejected",
    "resumed_notice",
    "settings_view",
    "share",
    "short_name",
    "signed",
    "source_name",
    "sources",
    "start",
    "stats",
    "subscription",
    "tally_line",
    "threshold_button",
    "thresholds_dropped",
    "title",
    "to_plain",
    "topic_gone",
    "trend_lines",
    "uncorrected",
    "undrawn_beside",
    "unknown_categories",
    "unsubscribe_question",
    "unsubscribed",
    "with_age",
]
