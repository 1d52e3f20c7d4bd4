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

NO_TOKEN = (
    "No bot token: set BULLETIN_BOT_TOKEN or [telegram] token (from @BotFather). To try the bot "
    "without one: bulletin-bot console"
)
NO_WEBHOOK_SECRET = (
    "Webhook mode needs a secret: set [webhook] secret_token or BULLETIN_BOT_WEBHOOK_SECRET "
    "(1-256 characters of A-Z, a-z, 0-9, _ and -)."
)
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
SUBSCRIBE_EXAMPLE = "For example: /subscribe 08:30 Europe/Kyiv"
SUBSCRIBE_BAD_WORD = "'{word}' is neither a time (HH:MM) nor a time zone (like Europe/Kyiv)."

# The bot ---------------------------------------------------------------------------------------

START = (
    "<b>bulletin-bot</b> sends the daily figures of Russian losses published by the General "
    "Staff of Ukraine's Armed Forces, with the date they cover and a link to the original post.\n"
    "\n"
    "{caveat}\n"
    "\n"
    "/latest: the latest bulletin\n"
    "/latest tanks: one category\n"
    "/on 2022-06-25: a past day\n"
    "/history tanks 14: the last days of a category\n"
    "/subscribe 08:30: a daily summary at your time\n"
    "/help: every command"
)
HELP = (
    "<b>Commands</b>\n"
    "/latest [CATEGORY...]: the latest bulletin, or some categories (/latest tanks artillery, "
    "/latest танки)\n"
    "/on DATE [CATEGORY...]: a past day (/on 2022-06-25, /on 25.06.2022 tanks, /on yesterday)\n"
    "/history CATEGORY [DAYS]: daily changes, average and largest day (/history drones 14)\n"
    "/chart CATEGORY... [PERIOD]: a chart of totals and daily changes (/chart tanks 90d, "
    "/chart drones 2024, /chart tanks artillery all)\n"
    "/week, /month: the last 7 or 30 days against the period before, with record days\n"
    "/records [CATEGORY]: the largest daily rises ever (/records tanks)\n"
    "/export [CSV|JSON] [FROM] [TO]: the figures as a file, corrections marked "
    "(/export json 2024-01-01)\n"
    "/sources: where the figures come from, and how far to trust them\n"
    "/subscribe [HH:MM] [TIME ZONE]: a daily summary (/subscribe, /subscribe 08:30, "
    "/subscribe 20:00 Europe/London)\n"
    "/unsubscribe: stop the daily summary\n"
    "/settings: your subscription\n"
    "/start: what this bot is; /help: this list\n"
    "\n"
    "Categories: {categories}."
)
COMMANDS = (
    # (command, English description, Ukrainian description) for Telegram's command menu
    ("latest", "The latest bulletin, or some categories", "Останнє зведення або категорії"),
    ("on", "A past day: /on 2022-06-25", "Минулий день: /on 2022-06-25"),
    ("history", "Daily changes of a category: /history tanks", "Зміни за днями: /history танки"),
    ("chart", "A chart: /chart tanks 90d", "Графік: /chart танки 90d"),
    ("week", "The last 7 days against the 7 before", "Останні 7 днів проти попередніх"),
    ("month", "The last 30 days against the 30 before", "Останні 30 днів проти попередніх"),
    ("records", "Largest daily rises ever: /records tanks", "Рекордні дні: /records танки"),
    ("export", "The figures as CSV or JSON", "Дані у CSV або JSON"),
    ("sources", "Where the figures come from", "Звідки ці дані"),
    ("subscribe", "A daily summary: /subscribe 08:30", "Щоденне зведення: /subscribe 08:30"),
    ("unsubscribe", "Stop the daily summary", "Скасувати щоденне зведення"),
    ("settings", "Your subscription", "Ваша підписка"),
    ("help", "Every command with an example", "Усі команди з прикладами"),
)
SOURCES = (
    "<b>Where the figures come from</b>\n"
    "The General Staff of Ukraine's Armed Forces publishes cumulative totals every morning on "
    "its channels (https://www.facebook.com/GeneralStaff.ua). bulletin-bot reads them from the "
    "russianwarship.rip API, which republishes each post with a link to it ({url}).\n"
    "History: {first} to {last}, {days} days stored.\n"
    "Last check of the source: {last_fetch}.\n"
    "\n"
    "<b>How far to trust them</b>\n"
    "{caveat_long}"
)
LAST_FETCH = "{at}, {result}"
LAST_FETCH_NEVER = "none yet"
FETCH_OK = "ok ({detail})"
FETCH_FAILED = "failed ({detail})"

HISTORY_TITLE = "<b>{name}</b>, last {days} days"
HISTORY_HEADER = "Date          Total   Change"
HISTORY_ROW = "{date}  {total:>8}  {change:>7}"
HISTORY_AVERAGE = "7-day average: {average} a day"
HISTORY_LARGEST = "Largest day: {change} on {date}"
HISTORY_NONE = "No figures for {name} yet."

SETTINGS_NONE = "This chat has no daily summary. Start one with /subscribe or /subscribe 08:30."
SETTINGS = (
    "Daily summary: {when}, time zone {zone}. Change it with /subscribe HH:MM, stop it "
    "with /unsubscribe."
)
WHEN_AT = "at {time}"
WHEN_ASAP = "as soon as the bulletin is out"
SUBSCRIBED = "Subscribed. Daily summary: {when}, time zone {zone}. /unsubscribe stops it."
UNSUBSCRIBED = "Unsubscribed: no more daily summaries. /subscribe starts them again."
NOT_SUBSCRIBED = "This chat was not subscribed. /subscribe starts a daily summary."
GROUP_ADMINS_ONLY = "Only the group's admins can change its subscription."

USAGE_ON = "Which day? For example: /on 2022-06-25 or /on yesterday tanks"
USAGE_HISTORY = "Which category? For example: /history tanks or /history drones 30"
BAD_DAYS = "'{word}' is not a number of days from 1 to {most}. For example: /history tanks 14"
UNKNOWN_COMMAND = "I don't know that command. /help lists them all."
NOT_UNDERSTOOD = "I only understand commands. /help lists them all."
BUTTON_EXPIRED = "This button has expired. Send /latest for a fresh bulletin."
INTERNAL_ERROR = (
    "Something went wrong on our side; it has been logged. Please try again in a minute."
)

BUTTON_ALL = "All"
BUTTON_HISTORY = "History: {name}"

# Admins ----------------------------------------------------------------------------------------

ADMINS_ONLY = "This command is for admins."
CORRECTED_FOOTNOTE = "* {name}: corrected from {old} to {new} by an admin on {on} ({reason})."
NO_REASON = "no reason given"

USAGE_CORRECT = (
    "Write it as /correct DATE CATEGORY VALUE [REASON], for example: "
    "/correct 2022-06-25 artillery 764 typo in source"
)
USAGE_UNCORRECT = "Write it as /uncorrect ID (the number shown by /corrections)."
USAGE_APPROVE = "Write it as /approve DATE, for example: /approve 2026-08-09 (/held lists them)."
USAGE_REJECT = "Write it as /reject DATE [REASON], for example: /reject 2026-08-09 wrong figures"
USAGE_ANNOUNCE = "Write it as /announce TEXT."
BAD_VALUE = "'{word}' is not a whole number from 0 to {most}."
ABSURD_VALUE = (
    "{value} is more than ten times {name} on the days around it ({around}); check the figure."
)
SAME_VALUE = "{name} on {date} is already {value}; nothing to change."
NO_REPORT_TO_CORRECT = "There is no accepted bulletin for {date} to correct."
ONE_CATEGORY = "Name exactly one category, for example: artillery."
NO_SUCH_CORRECTION = "There is no correction {id} in force. /corrections lists them."
NO_HELD_REPORT = "No report for {date} is on hold. /held lists them."
TEXT_TOO_LONG = "That is {length:,} characters; at most {most:,}."

CORRECTED = (
    "Correction {id}: {name} on {date} is now {new} (was {old}). {notices} subscribers who got "
    "that bulletin will get a notice."
)
UNCORRECTED = "Correction {id} withdrawn: {name} on {date} is {value} again."
CORRECTIONS_NONE = "No corrections."
CORRECTIONS_HEADER = "Corrections, newest first:"
CORRECTION_LINE = "#{id} {date} {name}: {old} -> {new} by {author} at {at} ({reason}){withdrawn}"
CORRECTION_WITHDRAWN = ", withdrawn by {by} at {at}"
APPROVED = "The report for {date} is accepted as it is. Queued for {queued} subscribers."
REJECTED = "The report for {date} is rejected: kept in the store, never shown."
ANNOUNCED = "Announcement queued for {queued} active subscribers."
ANNOUNCEMENT = "📢 {text}"
CORRECTION_NOTICE = "Correction to the bulletin of {date}: {changes}."
CORRECTION_CHANGE = "{name} {new}, not {old}"

PASTE_PARSED = "Read a bulletin for {date}: {outcome}."
APPROVED_QUEUED = "Queued for {queued} subscribers."
PASTE_NOT_UNDERSTOOD = (
    "That does not read as a General Staff bulletin: {error}. Paste the whole post, from "
    "'The total combat losses...' or 'Загальні бойові втрати...'."
)
FETCHED = "Fetched: {summary}. Queued for {queued} subscribers."
FETCH_FAILED_NOW = "The fetch failed: {error}"

ALERT = "⚠️ Admin alert: {text}"
ALERT_HELD = "The report for {date} is on hold: {reasons}. /approve {date} or /reject {date}."
ALERT_SOURCE_DOWN = "The source failed {count} times in a row; last error: {error}"
ALERT_DELIVERY = "{failed} messages failed or were refused in one delivery round; see /stats."

STATS = (
    "<b>Subscribers</b>: {active} active, {blocked} blocked, {gone} gone, "
    "{unsubscribed} unsubscribed\n"
    "By language: {languages}\n"
    "<b>Last fetch</b>: {last_fetch}\n"
    "<b>Held reports</b>: {held}\n"
    "<b>Deliveries today</b>: {pending} pending, {sent} sent, {failed} failed, {skipped} skipped"
)

# Charts ----------------------------------------------------------------------------------------

BAD_PERIOD = (
    "'{word}' is not a period; write 30d, 90d, 6m, a year like 2024, or all. "
    "For example: /chart tanks 90d"
)
USAGE_CHART = "Which category? For example: /chart tanks 90d, /chart drones 2024, /chart tanks all"
TOO_MANY_CATEGORIES = "At most {most} categories on one chart."
CHART_TITLE = "{name}: claimed by Ukraine's General Staff"
CHART_PANEL = "{name} (total {total})"
CHART_SUBTITLE = "{first} to {last} ({period})"
CHART_TOTAL = "Total"
CHART_PER_DAY = "Per day"
CHART_DAILY = "Daily change"
CHART_AVERAGE = "7-day average"
CHART_CORRECTED = "Corrected by an admin"
CHART_SMALL_PRINT = (
    "Source: General Staff of the Armed Forces of Ukraine, via russianwarship.rip. Claimed by one "
    "party to the war; not independently verified."
)
CHART_CAPTION = "{names}, {period}. {caveat}"

# Trends ----------------------------------------------------------------------------------------

TREND_TITLE = "<b>Last {days} days</b>, {first} to {last}, against the {days} days before"
TREND_LINE = "{name}: {rise} ({comparison}); most in a day {largest}"
TREND_LINE_NO_RECORD = "{name}: {rise} ({comparison})"
TREND_VERSUS = "before {previous}, {percent}"
TREND_NOTHING_BEFORE = "nothing to compare with"
TREND_LARGEST = "{rise} on {date}"
RECORDS_TITLE = "<b>Largest daily rises ever</b>"
RECORDS_TITLE_ONE = "<b>{name}: largest daily rises ever</b>"
RECORD_LINE = "{name}: {rise} on {date}"
RECORD_LINE_ONE = "{rank}. {rise} on {date}"
RECORDS_NONE = "No daily rises stored yet."

# Export ----------------------------------------------------------------------------------------

USAGE_EXPORT = "Write it as /export [CSV|JSON] [FROM] [TO], for example: /export csv 2024-01-01"
EXPORT_BACKWARDS = "{first} is after {last}; put the earlier date first."
EXPORT_SOURCE = (
    "General Staff of the Armed Forces of Ukraine, daily bulletin, via russianwarship.rip and the "
    "2022-Ukraine-Russia-War-Dataset; corrections by bulletin-bot admins marked"
)
EXPORT_CAPTION = "Figures from {first} to {last}, corrections applied and marked. {caveat}"

# Inline mode -----------------------------------------------------------------------------------

INLINE_ALL_TITLE = "The whole bulletin of {date}"
INLINE_ALL_DESCRIPTION = "Every category, with the caveat and the link"
INLINE_TITLE = "{name}: {total} {change}"
INLINE_DESCRIPTION = "{date} · claimed by Ukraine's General Staff, not independently verified"
