"""Every sentence bulletin-bot shows people, in one place (English for now).

Templates use str.format fields; render.py fills them and escapes what came from outside.
"""

TITLE = "Russian losses claimed by Ukraine's General Staff"
DAY_LINE = "{date} · day {day} of the full-scale invasion"
CAVEAT = "⚠️ Claimed by Ukraine's General Staff, one party to the war; not independently verified."
CAVEAT_LONG = (
    "These figures are published by the General Staff of Ukraine's Armed Forces, one party "
    "to the war. They cannot be independently verified. Russia has almost never published "
    "its own losses. Independent counts of visually confirmed losses (such as Oryx) are far "
    "lower, because they include only what was photographed or filmed."
)

FIGURE_LINE = "{name}: {approx}{total} {change}{marker}"
APPROXIMATELY = "about "
CHANGE = "({delta})"
CHANGE_OVER_DAYS = "({delta} over {days} days)"
CHANGE_DOWN = "({delta}, revised down by the source)"
CHANGE_NEW = "(new)"
FOOTNOTE_MARKER = "*"
FOOTNOTE = "* {detail}"

ORIGINAL_POST = "Original post: {link}"
NO_LINK = (
    "Original post: no link stored for this day; the General Staff publishes at "
    "https://www.facebook.com/GeneralStaff.ua"
)
NO_FIGURES_FOR = "No figure on {date} for: {names}."

NO_DATA = "No bulletin has been stored yet. Run: bulletin-bot fetch"
NO_REPORT_ON = "No accepted bulletin for {date}. The nearest earlier one is {nearest}."
NO_REPORT_BEFORE = "No accepted bulletin for {date}, and none before it."
UNKNOWN_CATEGORY = "Unknown category '{word}'."
DID_YOU_MEAN = " Did you mean: {suggestions}?"
CATEGORY_EXAMPLE = "Try for example: {example}"

HELD_NONE = "No reports are on hold."
HELD_HEADER = "Reports on hold ({count}):"
HELD_ITEM = "{date} (revision {revision}, from {source}, fetched {fetched}):"
HELD_REASON = "  - {detail}"

DATE_FORMS = "2022-06-25, 25.06.2022, today or yesterday"
DATE_NOT_A_DATE = "'{text}' is not a date; write it as {forms}."
DATE_NOT_REAL = "'{text}' is not a real calendar date."
DATE_BEFORE_WAR = "{date} is before the bulletin began on 2022-02-24."
DATE_IN_FUTURE = "{date} is in the future."

SUBSCRIBE_BAD_TIME = "'{word}' is not a time of day; write it as HH:MM, from 00:00 to 23:59."
SUBSCRIBE_BAD_WORD = "'{word}' is neither a time (HH:MM) nor a time zone (like Europe/Kyiv)."
