"""One family for every failure bulletin-bot explains instead of crashing on.

`BulletinBotError` is its root, so that a front end catches one type and knows what to do: the
command line prints the message and exits with the error's `status`; the bot replies to a
`UserError` and reports a failure to start. Anything outside the family is a bug: a traceback in
the log, and an apology to whoever was waiting.

Status 2: what was typed or configured was wrong, and the message says what to write instead.
- `UserError` (here), what someone asked for cannot be done as asked (a date in the future, an
  unknown category, a held report that is not held...). Its message, in the asker's language,
  is plain text. Handlers refuse by raising it; the Telegram layer answers it in one place
  (bot/telegram/errors.py `refuse`, from the one wrapper around every command in
  bot/telegram/app.py); the command line prints it. Each module's own refusals subclass it
  (`DateError`, `AdminError`, `ExportError`, ...).
- `ConfigError` (bot/config.py): a key of the configuration file.

Status 1: the world, the data or the machine failed; the message says what and, where it can,
what to do.
- `SourceError` (bot/sources/http.py): a fetch failed. The bot logs it and tries again later.
- `StoreError` (bot/store/database.py): the database cannot be used as it is. SQLite's own
  errors never leave the store raw: they come out as its `DatabaseFailed`.
- `InstanceError` (bot/instance.py): another process runs the bot on the same database.
- `StartFailed` (bot/telegram/app.py) and the command line's `CommandError` (bot/cli.py) carry
  a status of their own where the same kind of failure may be either (a token Telegram refused
  is the configuration's: 2).
"""

from __future__ import annotations


class BulletinBotError(Exception):
    """A failure with a message for whoever must act on it; `status` is the command line's exit
    status for it (a class's own, or one given where it is raised)."""

    status: int = 1


class UserError(BulletinBotError):
    """A request that cannot be done as asked; str(error) is the answer to give (plain text)."""

    status = 2
