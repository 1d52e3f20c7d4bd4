"""The one registry of loss categories: keys, names, aliases, and how each source spells them.

Every other module asks this one. Sources map their own spellings to a canonical key with
`from_source_key` (API fields, dataset columns) or `from_bulletin_label` (the text bulletin);
people's words go through `resolve`. A spelling nobody has seen before is never dropped: it gets a
key of its own and a name made from the spelling, so a new category shows up the day it appears.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Category:
    key: str
    name_en: str
    name_uk: str
    unit_en: str = "units"
    unit_uk: str = "од."
    # Words people type for it, beyond the key and the names (any case, any language).
    aliases: tuple[str, ...] = ()
    # How sources spell it: API fields and dataset columns.
    source_keys: tuple[str, ...] = ()
    # A regular expression that recognises its label in the text bulletin (English or Ukrainian).
    bulletin_label: str = ""
    # The bulletin gives this figure as "about N".
    approximate: bool = False
    # A category the bulletin later folded into another one: its figures count towards that one.
    merged_into: str | None = None
    # The last day the bulletin carried it, for a category it retired (merged or dropped): its
    # absence after that day is the bulletin's format, not a missing figure.
    last_reported: date | None = None
    # False for categories synthesised from an unknown source spelling.
    known: bool = True

    def name(self, language: str = "en") -> str:
        return self.name_uk if language == "uk" else self.name_en


CATEGORIES: tuple[Category, ...] = (
    Category(
        "personnel",
        "Personnel",
        "Особовий склад",
        "persons",
        "осіб",
        aliases=(
            "troops",
            "soldiers",
            "people",
            "men",
            "killed",
            "casualties",
            "особовий",
            "особового складу",
            "солдати",
            "військові",
            "люди",
            "втрати",
            "personnel units",
        ),
        source_keys=("personnel_units", "personnel"),
        bulletin_label=r"personnel|особов",
        approximate=True,
    ),
    Category(
        "tanks",
        "Tanks",
        "Танки",
        aliases=("tank", "танк", "танків"),
        source_keys=("tanks", "tank"),
        bulletin_label=r"^tanks?\b|^танк",
    ),
    Category(
        "afv",
        "Armoured combat vehicles",
        "Бойові броньовані машини",
        aliases=(
            "apv",
            "apc",
            "apcs",
            "ifv",
            "bbm",
            "ббм",
            "armoured",
            "armored",
            "armoured vehicles",
            "armored vehicles",
            "armoured fighting vehicles",
            "броня",
            "бронетехніка",
        ),
        source_keys=("armoured_fighting_vehicles", "APC"),
        bulletin_label=r"armou?red|броньов",
    ),
    Category(
        "artillery",
        "Artillery systems",
        "Артилерійські системи",
        aliases=("arty", "guns", "artillery", "артилерія", "артсистеми", "арта", "field artillery"),
        source_keys=("artillery_systems", "field artillery"),
        bulletin_label=r"artiller|артилер",
    ),
    Category(
        "mlrs",
        "MLRS",
        "РСЗВ",
        aliases=(
            "mrl",
            "mrls",
            "rszv",
            "rszo",
            "рсзв",
            "multiple rocket launchers",
            "rocket launchers",
            "градів",
        ),
        source_keys=("mlrs", "MRL"),
        bulletin_label=r"mlrs|\bmrl\b|rocket launcher|рсзв|реактивн",
    ),
    Category(
        "air_defence",
        "Air defence systems",
        "Засоби ППО",
        aliases=(
            "air defence",
            "air defense",
            "ad",
            "aa",
            "sam",
            "ppo",
            "ппо",
            "anti-aircraft",
            "anti aircraft",
            "anti-aircraft warfare",
        ),
        source_keys=("aa_warfare_systems", "anti-aircraft warfare"),
        bulletin_label=r"air defen[cs]e|anti-?\s?aircraft|ппо|протиповітрян",
    ),
    Category(
        "aircraft",
        "Aircraft",
        "Літаки",
        aliases=("planes", "plane", "jets", "літак", "літаків", "авіація"),
        source_keys=("planes", "aircraft"),
        bulletin_label=r"aircraft|planes?\b|літак",
    ),
    Category(
        "helicopters",
        "Helicopters",
        "Гелікоптери",
        aliases=("helicopter", "helos", "choppers", "гелікоптер", "гелікоптерів", "вертольоти"),
        source_keys=("helicopters", "helicopter"),
        bulletin_label=r"helicopter|гелікоптер|вертол",
    ),
    Category(
        "uav",
        "Operational-tactical UAVs",
        "БпЛА оперативно-тактичного рівня",
        aliases=("drones", "drone", "uavs", "бпла", "дрони", "дронів", "безпілотники"),
        source_keys=("uav_systems", "drone"),
        bulletin_label=r"\buavs?\b|drone|бпла|безпілот",
    ),
    Category(
        "cruise_missiles",
        "Cruise missiles",
        "Крилаті ракети",
        aliases=("missiles", "cruise", "ракети", "крилаті ракети", "крилаті"),
        source_keys=("cruise_missiles", "cruise missiles"),
        bulletin_label=r"cruise|крилат",
    ),
    Category(
        "warships",
        "Warships and boats",
        "Кораблі та катери",
        aliases=("ships", "ship", "boats", "navy", "кораблі", "катери", "флот", "warships cutters"),
        source_keys=("warships_cutters", "naval ship"),
        bulletin_label=r"\bships?\b|warships?|boats?|корабл|катер",
    ),
    Category(
        "submarines",
        "Submarines",
        "Підводні човни",
        aliases=("submarine", "subs", "підводні човни", "підводні", "човни"),
        source_keys=("submarines",),
        bulletin_label=r"submarine|підводн",
    ),
    Category(
        "vehicles",
        "Vehicles and fuel tanks",
        "Автомобільна техніка та автоцистерни",
        aliases=(
            "vehicle",
            "trucks",
            "cars",
            "auto",
            "vehicles fuel tanks",
            "автомобілі",
            "автотехніка",
            "автомобільна техніка",
            "машини",
            "авто",
        ),
        source_keys=("vehicles_fuel_tanks", "vehicles and fuel tanks"),
        bulletin_label=r"vehicles and fuel|автомобільн.*цистерн",
    ),
    Category(
        "special_equipment",
        "Special equipment",
        "Спеціальна техніка",
        aliases=(
            "special",
            "спецтехніка",
            "спеціальна техніка",
            "special military equipment",
            "special military equip",
        ),
        source_keys=("special_military_equip", "special equipment"),
        bulletin_label=r"special|спеціальн",
    ),
    Category(
        "ground_robots",
        "Ground robotic systems",
        "Наземні робототехнічні комплекси",
        aliases=("robots", "robot", "ugv", "ugvs", "нрк", "роботи", "ground robots"),
        source_keys=("ground robotic systems", "ground_robotic_systems"),
        bulletin_label=r"robot|робот",
    ),
    Category(
        "srbm",
        "Mobile SRBM systems",
        "Пускові установки ОТРК/ТРК",
        aliases=("srbm", "srbms", "отрк", "трк", "iskander", "atgm srbm systems"),
        source_keys=("atgm_srbm_systems", "mobile SRBM system"),
        bulletin_label=r"srbm|отрк|\bтрк\b",
        last_reported=date(2022, 4, 30),
    ),
    Category(
        "military_vehicles",
        "Military vehicles",
        "Автомобільна техніка",
        aliases=("military auto", "military vehicles"),
        source_keys=("military auto",),
        bulletin_label=r"military auto|^(?:military )?vehicles|автомобільн",
        merged_into="vehicles",
        last_reported=date(2022, 4, 30),
    ),
    Category(
        "fuel_tanks",
        "Fuel tanks",
        "Цистерни з ПММ",
        aliases=("fuel tank", "tankers", "цистерни"),
        source_keys=("fuel tank",),
        bulletin_label=r"fuel tanks?|цистерн",
        merged_into="vehicles",
        last_reported=date(2022, 4, 30),
    ),
    Category(
        "pow",
        "Prisoners of war",
        "Полонені",
        "persons",
        "осіб",
        aliases=("prisoners", "prisoners of war", "полонені"),
        source_keys=("POW",),
        bulletin_label=r"prisoners|\bpow\b|полонен",
        last_reported=date(2022, 4, 27),
    ),
)


def normalise(word: str) -> str:
    """Fold case, separators and punctuation so 'Air-Defence', 'air_defence', 'air defence' meet."""
    word = word.casefold().replace("’", "'").replace("ʼ", "'")
    return " ".join(re.findall(r"[\w']+", word))


def _slug(word: str) -> str:
    return normalise(word).replace(" ", "_")


BY_KEY: dict[str, Category] = {c.key: c for c in CATEGORIES}
ORDER: dict[str, int] = {c.key: i for i, c in enumerate(CATEGORIES)}
_BY_SOURCE_KEY: dict[str, str] = {
    normalise(spelling): c.key for c in CATEGORIES for spelling in c.source_keys
}
_BY_WORD: dict[str, str] = {
    normalise(word): c.key
    for c in CATEGORIES
    for word in (c.key, c.name_en, c.name_uk, *c.aliases, *c.source_keys)
}
_LONGEST_ALIAS = max(len(word.split()) for word in _BY_WORD)
# Historic categories go last so that 'fuel tanks' inside 'vehicles and fuel tanks' is not
# mistaken for the separate early-2022 figure.
_LABELS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(c.bulletin_label, re.IGNORECASE), c.key)
    for c in sorted(CATEGORIES, key=lambda c: c.merged_into is not None)
    if c.bulletin_label
)


def get(key: str) -> Category:
    """The category for a stored key; a key no source spelled before gets a name made from it."""
    if key in BY_KEY:
        return BY_KEY[key]
    name = key.replace("_", " ").strip().capitalize() or key
    return Category(key, name, name, known=False)


def from_source_key(spelling: str) -> str:
    """The canonical key for a source's field name, or a new stable key made from it."""
    return _BY_SOURCE_KEY.get(normalise(spelling)) or _slug(spelling)


def from_bulletin_label(label: str) -> str | None:
    """The key whose bulletin wording matches `label` ('tanks', 'бойових броньованих машин')."""
    for pattern, key in _LABELS:
        if pattern.search(label):
            return key
    return None


def sort_keys(keys: Iterable[str]) -> list[str]:
    """Registry order (the bulletin's own order), unknown categories after, alphabetically."""
    return sorted(keys, key=lambda k: (ORDER.get(k, len(ORDER)), k))


@dataclass(frozen=True)
class Unknown:
    """A word that names no category, with the closest keys to offer instead."""

    word: str
    suggestions: tuple[str, ...]


def resolve(words: Sequence[str]) -> tuple[list[str], list[Unknown]]:
    """Turn what a person typed into category keys, longest phrases first.

    `['air', 'defence', 'tanks']` gives `['air_defence', 'tanks']`; a word that matches nothing
    comes back with the closest suggestions.
    """
    found: list[str] = []
    unknown: list[Unknown] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST_ALIAS, len(words) - i), 0, -1):
            key = _BY_WORD.get(normalise(" ".join(words[i : i + size])))
            if key:
                if key not in found:
                    found.append(key)
                i += size
                break
        else:
            unknown.append(Unknown(words[i], suggest(words[i])))
            i += 1
    return found, unknown


def suggest(word: str, limit: int = 3) -> tuple[str, ...]:
    """The keys whose names or aliases are closest to a misspelt word."""
    matches = difflib.get_close_matches(normalise(word), list(_BY_WORD), n=limit * 4, cutoff=0.6)
    keys = dict.fromkeys(_BY_WORD[m] for m in matches)
    return tuple(keys)[:limit]
