"""Configuration: defaults, the TOML file, the token from the environment, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load

SECRET = "123456:AAH-very-secret-token"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load(environ={})
    assert config.storage.database == Path("bulletin.db")
    assert config.schedule.timezone == "Europe/Kyiv"
    assert config.schedule.poll_every_minutes == 20
    assert [(s.kind, s.url) for s in config.sources] == [
        ("api", "https://russianwarship.rip/api/v2"),
        (
            "dataset",
            "https://raw.githubusercontent.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset/main/data",
        ),
    ]
    assert config.telegram.api_base_url == "https://api.telegram.org/bot"


def test_the_example_file_is_valid_and_matches_the_defaults(tmp_path, monkeypatch):
    example = Path(__file__).parents[1] / "config.example.toml"
    monkeypatch.chdir(tmp_path)
    assert load(example, environ={}) == load(environ={})


def test_a_file_sets_values(tmp_path):
    path = write(
        tmp_path,
        """
[telegram]
admins = [111, 222]
api_base_url = "http://127.0.0.1:8081/bot/"
[storage]
database = "/data/bulletin.db"
[schedule]
timezone = "UTC"
poll_every_minutes = 5
""",
    )
    config = load(path, environ={})
    assert config.telegram.admins == (111, 222)
    assert config.telegram.api_base_url == "http://127.0.0.1:8081/bot"
    assert config.storage.database == Path("/data/bulletin.db")
    assert (config.schedule.timezone, config.schedule.poll_every_minutes) == ("UTC", 5)


def test_the_token_comes_from_the_environment_and_never_shows(tmp_path):
    path = write(tmp_path, '[telegram]\ntoken = "from-file"\n')
    config = load(path, environ={"BULLETIN_BOT_TOKEN": SECRET})
    assert config.telegram.token == SECRET
    assert SECRET not in repr(config)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[telegram]\ntokn = 'x'", "unknown key 'tokn' in [telegram]; known: admins, "),
        ("[telegarm]\ntoken = 'x'", "unknown section [telegarm]"),
        ("[schedule]\ntimezone = 'Kyiv'", "[schedule] timezone must be an IANA time zone"),
        # Python's tz database has these too; none is a place's time (`localtime` is the
        # server's own setting, `Factory` no one's, Etc/GMT+3 is UTC-3).
        ("[schedule]\ntimezone = 'localtime'", "must be an IANA time zone of a place"),
        ("[schedule]\ntimezone = 'Factory'", "like 'Europe/Kyiv', or 'UTC', got 'Factory'"),
        ("[schedule]\ntimezone = 'EST'", "must be an IANA time zone of a place"),
        ("[schedule]\ntimezone = 'Etc/GMT+3'", "must be an IANA time zone of a place"),
        ("[schedule]\npoll_every_minutes = '20'", "poll_every_minutes must be a whole number"),
        ("[schedule]\npoll_every_minutes = 0", "from 1 to 1440, got 0"),
        ("[telegram]\nadmins = 'me'", "admins must be a list of Telegram user ids"),
        ("[telegram]\ndefault_language = 'fr'", "default_language must be a language the bot"),
        ("[source]\nurl = 'ftp://x'", "[source] url must be an http(s) URL"),
        ("[source]\nkind = 'api'", "unknown key 'kind' in [source]; known: url"),
        (
            "[[sources]]\nkind = 'rss'",
            "[[sources]] kind must be one of 'api', 'dataset', got 'rss'",
        ),
        (
            "[[sources]]\nurl = 'https://x'",
            "[[sources]] kind must be one of 'api', 'dataset', got None",
        ),
        ("[[sources]]\nkind = 'api'\n[[sources]]\nkind = 'api'", "lists kind 'api' twice"),
        ("[[sources]]\nkind = 'dataset'\nurl = 'x'", "[sources] url must be an http(s) URL"),
        ("[[sources]]\nkind = 'api'\n[source]\nurl = 'https://x'", "use [[sources]] or the old"),
        ("sources = 3", "[[sources]] must be one or more tables"),
        ("[storage]\ndatabase = 3", "[storage] database must be a file path"),
        ("[storage\n", "not valid TOML"),
        ("[delivery]\nrate_per_second = -1", "rate_per_second must be messages a second from 0"),
        ("[delivery]\nrate_per_second = 100", "rate_per_second above 30 needs paid_broadcast"),
        ("[delivery]\npaid_broadcast = 'yes'", "[delivery] paid_broadcast must be true or false"),
        (
            "[delivery]\npaid_broadcast = true\nrate_per_second = 1001",
            "to 1000 with paid_broadcast, got 1001",
        ),
        ("[webhook]\nport = 70000", "[webhook] port must be a port number from 1 to 65535"),
        ("[webhook]\nsecret_token = 'has spaces'", "[webhook] secret_token must be 1-256"),
        ("storage = 1", "[storage] must be a table of keys"),
    ],
)
def test_a_wrong_file_stops_with_one_line_naming_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        load(write(tmp_path, text), environ={})
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_delivery_and_webhook_keys(tmp_path):
    path = write(tmp_path, "[delivery]\nrate_per_second = 12.5\n[webhook]\nport = 8080\n")
    config = load(path, environ={"BULLETIN_BOT_WEBHOOK_SECRET": "from-env_1"})
    assert config.delivery.rate_per_second == 12.5
    assert not config.delivery.paid_broadcast
    assert config.webhook.port == 8080
    assert config.webhook.secret_token == "from-env_1"
    assert "from-env_1" not in repr(config)


def test_paid_broadcasts_let_the_rate_go_to_a_thousand(tmp_path):
    path = write(tmp_path, "[delivery]\nrate_per_second = 1000\npaid_broadcast = true\n")
    assert load(path, environ={}).delivery.rate_per_second == 1000


def test_a_secret_from_the_environment_is_checked_too(tmp_path):
    with pytest.raises(ConfigError, match="secret_token must be") as error:
        load(write(tmp_path, ""), environ={"BULLETIN_BOT_WEBHOOK_SECRET": "bad secret!"})
    assert "bad secret" not in str(error.value)


def test_a_token_of_the_wrong_type_is_not_echoed(tmp_path):
    with pytest.raises(ConfigError) as error:
        load(write(tmp_path, "[telegram]\ntoken = 123456789"), environ={})
    assert "123456789" not in str(error.value)
    assert "(hidden)" in str(error.value)


def test_a_missing_file_given_explicitly(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load(tmp_path / "nope.toml", environ={})


def test_the_file_can_be_named_by_the_environment(tmp_path):
    path = write(tmp_path, "[schedule]\npoll_every_minutes = 7\n")
    config = load(environ={"BULLETIN_BOT_CONFIG": str(path)})
    assert config.schedule.poll_every_minutes == 7
    with pytest.raises(ConfigError, match="no such file"):
        load(environ={"BULLETIN_BOT_CONFIG": str(tmp_path / "missing.toml")})


def test_sources_in_order_of_preference_and_the_old_single_source(tmp_path):
    listed = load(
        write(
            tmp_path,
            """
[[sources]]
kind = "dataset"
url = "https://mirror.example/data/"
[[sources]]
kind = "api"
""",
        ),
        environ={},
    )
    assert [(s.kind, s.url) for s in listed.sources] == [
        ("dataset", "https://mirror.example/data"),
        ("api", "https://russianwarship.rip/api/v2"),
    ]
    # A config written before [[sources]] keeps meaning what it meant: that API, alone.
    old = load(write(tmp_path, '[source]\nurl = "https://api.example/v2"\n'), environ={})
    assert [(s.kind, s.url) for s in old.sources] == [("api", "https://api.example/v2")]
