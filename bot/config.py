"""Configuration: one TOML file plus the token from the environment, checked at start-up.

A wrong file stops start-up with one line naming the key and what it expects. The token is kept
out of reprs and messages so it cannot leak into logs.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot import texts
from bot.errors import BulletinBotError

# Secrets may come from the environment instead of the file; the environment wins.
ENVIRONMENT = {
    "BULLETIN_BOT_TOKEN": ("telegram", "token"),
    "BULLETIN_BOT_WEBHOOK_SECRET": ("webhook", "secret_token"),
}
DEFAULT_PATH = Path("config.toml")


class ConfigError(BulletinBotError):
    """One line saying which key is wrong and what it expects."""

    status = 2


@dataclass(frozen=True)
class TelegramConfig:
    token: str = field(default="", repr=False)
    api_base_url: str = "https://api.telegram.org/bot"
    admins: tuple[int, ...] = ()
    # A channel's language until /language is used there (a channel post has no author's app
    # language to go by).
    default_language: str = "en"


@dataclass(frozen=True)
class StorageConfig:
    database: Path = Path("bulletin.db")
    # How often the running bot checks the whole file (PRAGMA quick_check; also at start-up).
    check_every_minutes: int = 60


@dataclass(frozen=True)
class ScheduleConfig:
    timezone: str = "Europe/Kyiv"
    poll_every_minutes: int = 20

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self, now: datetime) -> date:
        """The date where the bulletin is published (the configured time zone)."""
        return now.astimezone(self.zone).date()


# Where each kind of source is read by default (bot.sources has the readers).
SOURCE_URLS = {
    "api": "https://russianwarship.rip/api/v2",
    "dataset": "https://raw.githubusercontent.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset/"
    "main/data",
}


@dataclass(frozen=True)
class SourceConfig:
    """One source of the bulletin: the russianwarship.rip API, or the public dataset's files."""

    kind: str = "api"
    url: str = SOURCE_URLS["api"]


# Asked in this order: the first is preferred, the next takes over when it is down or behind.
DEFAULT_SOURCES = tuple(SourceConfig(kind, url) for kind, url in SOURCE_URLS.items())


@dataclass(frozen=True)
class DeliveryConfig:
    rate_per_second: float = 25.0
    # Telegram's paid broadcasts (allow_paid_broadcast): up to 1,000 messages a second, paid
    # for in Telegram Stars from the bot's balance.
    paid_broadcast: bool = False


# Messages a second Telegram lets a bot send for free, and with paid broadcasts.
FREE_RATE = 30
PAID_RATE = 1000


@dataclass(frozen=True)
class AlertsConfig:
    source_failures: int = 3
    delivery_failures: int = 10


@dataclass(frozen=True)
class MetricsConfig:
    port: int = 0  # 0: no metrics
    listen: str = "127.0.0.1"


@dataclass(frozen=True)
class WebhookConfig:
    listen: str = "127.0.0.1"
    port: int = 8443
    path: str = "telegram"
    secret_token: str = field(default="", repr=False)


@dataclass(frozen=True)
class Config:
    telegram: TelegramConfig = TelegramConfig()
    storage: StorageConfig = StorageConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    sources: tuple[SourceConfig, ...] = DEFAULT_SOURCES
    delivery: DeliveryConfig = DeliveryConfig()
    alerts: AlertsConfig = AlertsConfig()
    metrics: MetricsConfig = MetricsConfig()
    webhook: WebhookConfig = WebhookConfig()


CONFIG_VARIABLE = "BULLETIN_BOT_CONFIG"


def load(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read `path` (default: $BULLETIN_BOT_CONFIG, or config.toml if it exists, else the
    built-in defaults).

    A path given explicitly, or by the environment, must exist. BULLETIN_BOT_TOKEN and
    BULLETIN_BOT_WEBHOOK_SECRET, when set, supply the secrets.
    """
    environ = os.environ if environ is None else environ
    if path is None and environ.get(CONFIG_VARIABLE):
        path = Path(environ[CONFIG_VARIABLE])
    if path is None and not DEFAULT_PATH.exists():
        data: dict[str, Any] = {}
        name = "defaults"
    else:
        path = path or DEFAULT_PATH
        name = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{name}: no such file (copy config.example.toml)") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{name}: cannot read it: {error}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{name}: not valid TOML: {error}") from None
    for variable, (section, key) in ENVIRONMENT.items():
        if value := environ.get(variable, "").strip():
            table = data.setdefault(section, {})
            if isinstance(table, dict):
                table[key] = value
    return _build(name, data)


def _build(name: str, data: dict[str, Any]) -> Config:
    sections = {f.name: f.default for f in fields(Config) if f.name != "sources"}
    sources = _sources(name, data.pop("sources", None), data.pop("source", None))
    unknown = set(data) - set(sections)
    if unknown:
        raise ConfigError(
            f"{name}: unknown section [{sorted(unknown)[0]}]; known: "
            + ", ".join(f"[{s}]" for s in sections)
        )
    built = {}
    for section, default in sections.items():
        values = data.get(section, {})
        if not isinstance(values, dict):
            raise ConfigError(f"{name}: [{section}] must be a table of keys")
        built[section] = _section(name, section, default, values)
    delivery = built["delivery"]
    if not delivery.paid_broadcast and delivery.rate_per_second > FREE_RATE:
        raise ConfigError(
            f"{name}: [delivery] rate_per_second above {FREE_RATE} needs paid_broadcast = true "
            f"(Telegram refuses more than about {FREE_RATE} messages a second otherwise; "
            f"paid broadcasts cost Telegram Stars), got {delivery.rate_per_second:g}"
        )
    return Config(**built, sources=sources)


def _sources(name: str, tables: Any, old: Any) -> tuple[SourceConfig, ...]:
    """[[sources]] tables, in order of preference; or the old [source] url, which still means
    that one API and no other source; or both default sources."""
    if tables is not None and old is not None:
        raise ConfigError(f"{name}: use [[sources]] or the old [source], not both")
    if old is not None:
        if not isinstance(old, dict):
            raise ConfigError(f"{name}: [source] must be a table of keys")
        if unknown := set(old) - {"url"}:
            raise ConfigError(f"{name}: unknown key '{sorted(unknown)[0]}' in [source]; known: url")
        return (_section(name, "source", SourceConfig(), old),)
    if tables is None:
        return DEFAULT_SOURCES
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{name}: [[sources]] must be one or more tables with a kind and a url")
    sources: list[SourceConfig] = []
    for table in tables:
        kind = table.get("kind")
        if kind not in SOURCE_URLS:
            raise ConfigError(
                f"{name}: [[sources]] kind must be one of {', '.join(map(repr, SOURCE_URLS))}, "
                f"got {kind!r}"
            )
        if any(source.kind == kind for source in sources):
            raise ConfigError(f"{name}: [[sources]] lists kind {kind!r} twice")
        sources.append(_section(name, "sources", SourceConfig(kind, SOURCE_URLS[kind]), table))
    return tuple(sources)


def _section(name: str, section: str, default: Any, values: dict[str, Any]) -> Any:
    known = {f.name for f in fields(default)}
    for key in values:
        if key not in known:
            raise ConfigError(
                f"{name}: unknown key '{key}' in [{section}]; known: {', '.join(sorted(known))}"
            )
    checked = {}
    for key, value in values.items():
        check, expected = _CHECKS[(section, key)]
        try:
            checked[key] = check(value)
        except (TypeError, ValueError, ZoneInfoNotFoundError):
            shown = "(hidden)" if key in _SECRETS else repr(value)
            raise ConfigError(
                f"{name}: [{section}] {key} must be {expected}, got {shown}"
            ) from None
    return replace(default, **checked)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _url(value: Any) -> str:
    url = _string(value)
    if not url.startswith(("https://", "http://")):
        raise ValueError
    return url.rstrip("/")


def _user_ids(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    ):
        raise ValueError
    return tuple(value)


def _in_range(low: float, high: float, *, whole: bool = True) -> Callable[[Any], Any]:
    """A check for a number from `low` to `high` (a whole number unless `whole` is False)."""
    kinds = int if whole else int | float

    def check(value: Any) -> Any:
        if not isinstance(value, kinds) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError
        return value if whole else float(value)

    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError
    return value


def _secret(value: Any) -> str:
    # Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and -.
    secret = _string(value)
    if not re.fullmatch(r"[A-Za-z0-9_-]{0,256}", secret):
        raise ValueError
    return secret


def _language(value: Any) -> str:
    language = _string(value)
    if language not in texts.LANGUAGES:
        raise ValueError
    return language


def is_place_zone(name: str) -> bool:
    """Whether `name` is a time zone a place keeps: an Area/Location name of the tz database
    (Europe/Kyiv, America/New_York, and old spellings of that shape such as Europe/Kiev), or
    UTC. Not the database's other entries, which Python accepts too: `localtime` is whatever
    the server's clock is set to (another machine, another time), `Factory` is no place's
    time, `EST`, `GMT0` or `Cuba` are legacy aliases, and `Etc/GMT+3` is three hours *behind*
    Greenwich."""
    return name in _place_zones()


@cache
def _place_zones() -> frozenset[str]:
    return frozenset(
        name
        for name in available_timezones()
        if name == "UTC" or ("/" in name and not name.startswith("Etc/"))
    )


def _zone(value: Any) -> str:
    zone = _string(value)
    if not is_place_zone(zone):
        raise ValueError
    ZoneInfo(zone)
    return zone


def _path(value: Any) -> Path:
    if not _string(value).strip():
        raise ValueError
    return Path(value)


_CHECKS = {
    ("telegram", "token"): (_string, "a string (or set BULLETIN_BOT_TOKEN)"),
    ("telegram", "api_base_url"): (_url, "an http(s) URL like 'https://api.telegram.org/bot'"),
    ("telegram", "admins"): (_user_ids, "a list of Telegram user ids, like [123456789]"),
    ("telegram", "default_language"): (_language, "a language the bot speaks: 'en' or 'uk'"),
    ("storage", "database"): (_path, "a file path, like 'bulletin.db'"),
    ("storage", "check_every_minutes"): (
        _in_range(1, 10080),
        "a whole number of minutes from 1 to 10080 (a week)",
    ),
    ("schedule", "timezone"): (
        _zone,
        "an IANA time zone of a place (Area/Location), like 'Europe/Kyiv', or 'UTC'",
    ),
    ("schedule", "poll_every_minutes"): (
        _in_range(1, 1440),
        "a whole number of minutes from 1 to 1440",
    ),
    ("source", "url"): (_url, "an http(s) URL like 'https://russianwarship.rip/api/v2'"),
    ("sources", "kind"): (_string, "'api' or 'dataset'"),
    ("sources", "url"): (_url, "an http(s) URL like 'https://russianwarship.rip/api/v2'"),
    ("delivery", "rate_per_second"): (
        _in_range(0, PAID_RATE, whole=False),
        f"messages a second from 0 (no cap) to {FREE_RATE}, or to {PAID_RATE} with paid_broadcast",
    ),
    ("delivery", "paid_broadcast"): (_boolean, "true or false"),
    ("alerts", "source_failures"): (
        _in_range(1, 1000),
        "how many failed polls in a row alert the admins, from 1 to 1000",
    ),
    ("alerts", "delivery_failures"): (
        _in_range(1, 1_000_000),
        "how many failed messages in one delivery round alert the admins",
    ),
    ("metrics", "port"): (_in_range(0, 65535), "a port number, or 0 for no metrics"),
    ("metrics", "listen"): (_string, "an address to listen on, like '127.0.0.1'"),
    ("webhook", "listen"): (_string, "an address to listen on, like '0.0.0.0'"),
    ("webhook", "port"): (_in_range(1, 65535), "a port number from 1 to 65535"),
    ("webhook", "path"): (_string, "a URL path, like 'telegram'"),
    ("webhook", "secret_token"): (_secret, "1-256 characters of A-Z, a-z, 0-9, _ and -"),
}
_SECRETS = {"token", "secret_token"}
