"""The Telegram layer: thin handlers and jobs over the core. Nothing outside it imports telegram.

python-telegram-bot 22 is asked for its future behaviour now: RetryAfter.retry_after as a
timedelta (PTB_TIMEDELTA), instead of an int with a deprecation warning on every 429.
"""

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")
