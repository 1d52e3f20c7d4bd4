"""The one registry of loss categories: keys, names, aliases, and how each source spells them.

Every other module asks this one. Sources map their own spellings to a canonical key with
`from_source_key` (API fields, dataset columns) or `bulletin_categories` (the text bulletin);
people's words go through `resolve`. A spelling nobody has seen before is never dropped: it gets a
key of its own and a name made from the spelling, so a new category shows up the day it appears.
What people read of a category, its name and the note beside Oryx's count, are messages of
the catalogues (bot/locales), named here, so that each language's words live in one place.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from bot import texts
from bot.errors import UserError


@dataclass(frozen=True)
class Category:
    key: str
    # The message naming it in the catalogues (bot/locales/*.po), for readers of each language
    # (tests/test_categories.py checks that every catalogue has it); "" for a category made
    # from a spelling no source used before, which is named after its key in every language.
    name_message: str
    # The word a Ukrainian reader types for it, offered in /help and in suggestions (an English
    # reader types the key); an abbreviation as it is written, in capitals (any case is read).
    word_uk: str = ""
    # Words people type for it, beyond the key and the names (any case, any language).
    aliases: tuple[str, ...] = ()
    # How sources spell it: API fields and dataset columns.
    source_keys: tuple[str, ...] = ()
    # How the text bulletin and news rewrites of it name it (English, Ukrainian, Russian): regular
    # expressions, each matched from the start of a word; the longest match in a label wins.
    bulletin_terms: tuple[str, ...] = ()
    # The bulletin gives this figure as "about N".
    approximate: bool = False
    # A category the bulletin later folded into another one: its figures count towards that one.
    merged_into: str | None = None
    # The last day the bulletin carried it, for a category it retired (merged or dropped): its
    # absence after that day is the bulletin's format, not a missing figure.
    last_reported: date | None = None
    # False for categories synthesised from an unknown source spelling.
    known: bool = True
    # Oryx's equipment types whose photo-confirmed losses are the independent count beside this
    # claim (bot/oryx.py), and, where they do not match one to one, the message saying what
    # differs.
    oryx_types: tuple[str, ...] = ()
    # Other categories whose claims stand with this one's beside those types (warships with
    # submarines, as Oryx counts them together): like is set beside like.
    oryx_claimed_with: tuple[str, ...] = ()
    oryx_note: str = ""

    def name(self, language: str = "en") -> str:
        """What a reader of `language` sees it called: 'Armoured combat vehicles', 'Бойові
        броньовані машини'; 'Laser systems' for a key 'laser_systems' no source sent before."""
        if not self.name_message:
            return self.key.replace("_", " ").strip().capitalize() or self.key
        return _message(language, self.name_message)

    def note(self, language: str = "en") -> str:
        """What differs between it and Oryx's types, for a reader of `language` ("": nothing
        to say: they match one to one, or Oryx has none)."""
        return _message(language, self.oryx_note) if self.oryx_note else ""

    def word(self, language: str = "en") -> str:
        """What a reader of `language` types to ask for it: 'air_defence', 'ппо'."""
        return self.word_uk if language == "uk" and self.word_uk else self.key


def _message(language: str, name: str) -> str:
    """Message `name` of the catalogue of `language`."""
    found: str = getattr(texts.of(language), name)
    return found


CATEGORIES: tuple[Category, ...] = (
    Category(
        "personnel",
        "CATEGORY_PERSONNEL",
        word_uk="особовий склад",
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
        bulletin_terms=(
            r"personnel",
            r"troops",
            r"soldiers?",
            r"servicem[ae]n",
            r"casualties",
            r"persons",
            r"особов\w*(?:\s+склад\w*)?",
            r"осіб",
            r"жив\w+\s+сил\w*",
            r"окупант\w*",
            r"солдат\w*",
            r"личн\w*\s+состав\w*",
            r"человек",
            r"оккупант\w*",
            r"военнослужащ\w*",
            # the noun, not the adjective: "1 540 військових", never "військових кораблів"
            r"(?:військових|военных)(?!\s+[^\W\d_])",
        ),
        approximate=True,
    ),
    Category(
        "tanks",
        "CATEGORY_TANKS",
        word_uk="танки",
        aliases=("tank", "танк", "танків"),
        source_keys=("tanks", "tank"),
        bulletin_terms=(r"tanks?", r"танк\w*"),
        oryx_types=("Tanks",),
    ),
    Category(
        "afv",
        "CATEGORY_AFV",
        word_uk="ББМ",
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
        bulletin_terms=(
            r"armou?red\s+(?:personnel\s+|combat\s+|fighting\s+)?(?:vehicles?|carriers?)",
            r"apvs?",
            r"afvs?",
            r"бойов\w*\s+броньован\w*\s+машин\w*",
            r"броньован\w*\s+машин\w*",
            r"ббм",
            r"боев\w*\s+бронированн?\w*\s+машин\w*",
            r"бронированн?\w*\s+машин\w*",
        ),
        oryx_types=(
            "Armoured Fighting Vehicles",
            "Infantry Fighting Vehicles",
            "Armoured Personnel Carriers",
            "Mine-Resistant Ambush Protected",
            "Infantry Mobility Vehicles",
        ),
        oryx_note="ORYX_NOTE_AFV",
    ),
    Category(
        "artillery",
        "CATEGORY_ARTILLERY",
        word_uk="артилерія",
        aliases=("arty", "guns", "artillery", "артилерія", "артсистеми", "арта", "field artillery"),
        source_keys=("artillery_systems", "field artillery"),
        bulletin_terms=(
            r"artillery(?:\s+systems?)?",
            r"артилерійськ\w*\s+систем\w*",
            r"артилері\w*",
            r"артиллерийск\w*\s+систем\w*",
            r"артиллери\w*",
            r"арт\s?систем\w*",
        ),
        oryx_types=("Towed Artillery", "Self-Propelled Artillery"),
        oryx_note="ORYX_NOTE_ARTILLERY",
    ),
    Category(
        "mlrs",
        "CATEGORY_MLRS",
        word_uk="РСЗВ",
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
        bulletin_terms=(
            r"mlrs",
            r"mrl",
            r"(?:multiple\s+)?rocket\s+launch\w*(?:\s+systems?)?",
            r"multiple[-\s]+launch\s+rocket\s+systems?",
            r"рсзв",
            r"рсзо",
            r"реактивн\w*\s+систем\w*\s+залпов\w*\s+\w+",
        ),
        oryx_types=("Multiple Rocket Launchers",),
    ),
    Category(
        "air_defence",
        "CATEGORY_AIR_DEFENCE",
        word_uk="ППО",
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
        bulletin_terms=(
            r"air\s+defen[cs]e(?:\s+(?:systems?|means))?",
            r"anti-?\s?aircraft(?:\s+warfare)?(?:\s+systems?)?",
            r"(?:засоб\w*\s+)?ппо",
            r"протиповітрян\w*(?:\s+оборон\w*)?",
            r"(?:средств\w*\s+)?пво",
        ),
        oryx_types=(
            "Surface-To-Air Missile Systems",
            "Self-Propelled Anti-Aircraft Guns",
            "Anti-Aircraft Guns",
        ),
        oryx_note="ORYX_NOTE_AIR_DEFENCE",
    ),
    Category(
        "aircraft",
        "CATEGORY_AIRCRAFT",
        word_uk="літаки",
        aliases=("planes", "plane", "jets", "літак", "літаків", "авіація"),
        source_keys=("planes", "aircraft"),
        bulletin_terms=(
            r"aircraft",
            r"(?:air|war)?planes?",
            r"(?:military\s+|fighter\s+)?jets?",
            r"літак\w*",
            r"самол[её]т\w*",
        ),
        oryx_types=("Aircraft",),
    ),
    Category(
        "helicopters",
        "CATEGORY_HELICOPTERS",
        word_uk="гелікоптери",
        aliases=("helicopter", "helos", "choppers", "гелікоптер", "гелікоптерів", "вертольоти"),
        source_keys=("helicopters", "helicopter"),
        bulletin_terms=(r"helicopters?", r"гелікоптер\w*", r"вертол\w+"),
        oryx_types=("Helicopters",),
    ),
    Category(
        "uav",
        "CATEGORY_UAV",
        word_uk="БпЛА",
        aliases=("drones", "drone", "uavs", "бпла", "дрони", "дронів", "безпілотники"),
        source_keys=("uav_systems", "drone"),
        bulletin_terms=(
            # with the level, as the bulletin names them: "operational-tactical level UAVs",
            # "UAV operational-tactical level", "БпЛА оперативно-тактичного рівня"
            r"(?:operational[-\s]+tactical(?:\s+level)?\s+)?(?:uavs?|drones?)"
            r"(?:\s+(?:of\s+(?:the\s+)?)?operational[-\s]+tactical(?:\s+level)?)?",
            r"unmanned\s+aerial\s+vehicles?",
            r"дрон\w*",
            r"бпла(?:\s+оперативно[-\s]+тактичн\w+\s+рівня|\s+оперативно[-\s]+тактическ\w+\s+уровня)?",
            r"безпілотн\w*(?:\s+літальн\w*\s+апарат\w*)?",
            r"беспилотн\w*(?:\s+летательн\w*\s+аппарат\w*)?",
        ),
        oryx_note="ORYX_NOTE_UAV",
    ),
    Category(
        "cruise_missiles",
        "CATEGORY_CRUISE_MISSILES",
        word_uk="крилаті ракети",
        aliases=("missiles", "cruise", "ракети", "крилаті ракети", "крилаті"),
        source_keys=("cruise_missiles", "cruise missiles"),
        bulletin_terms=(
            r"cruise(?:\s+missiles?)?",
            r"крилат\w*\s+ракет\w*",
            r"крылат\w*\s+ракет\w*",
        ),
    ),
    Category(
        "warships",
        "CATEGORY_WARSHIPS",
        word_uk="кораблі",
        aliases=("ships", "ship", "boats", "navy", "кораблі", "катери", "флот", "warships cutters"),
        source_keys=("warships_cutters", "naval ship"),
        bulletin_terms=(
            r"(?:war)?ships?",
            r"boats?",
            r"(?:військов\w*\s+|военн\w*\s+)?корабл\w*",
            r"катер\w*",
        ),
        oryx_types=("Naval Ships and Submarines",),
        oryx_claimed_with=("submarines",),
        oryx_note="ORYX_NOTE_WARSHIPS",
    ),
    Category(
        "submarines",
        "CATEGORY_SUBMARINES",
        word_uk="підводні човни",
        aliases=("submarine", "subs", "підводні човни", "підводні", "човни"),
        source_keys=("submarines",),
        bulletin_terms=(r"submarines?", r"підводн\w*(?:\s+човн\w*)?", r"подводн\w*(?:\s+лод\w*)?"),
        oryx_note="ORYX_NOTE_SUBMARINES",
    ),
    Category(
        "vehicles",
        "CATEGORY_VEHICLES",
        word_uk="автотехніка",
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
        bulletin_terms=(
            r"(?:military\s+)?vehicles\s*(?:and|&)\s*fuel\s+tanks?",
            r"(?:automotive\s+equipment|(?:military\s+)?vehicles)\s+(?:and|&)\s+"
            r"(?:tanks?\s+with\s+fuel|fuel\s+tank(?:er)?s?|tankers)",
            r"(?:автомобільн\w*\s+техні\w*|автотехні\w*)\s+(?:та|і|й)\s+(?:авто)?цистерн\w*"
            r"(?:\s+з\s+пмм)?",
            r"(?:автомобильн\w*\s+техник\w*|автотехник\w*)\s+и\s+(?:авто)?цистерн\w*",
        ),
        oryx_types=("Trucks, Vehicles, Jeeps, and Trains",),
        oryx_note="ORYX_NOTE_VEHICLES",
    ),
    Category(
        "special_equipment",
        "CATEGORY_SPECIAL_EQUIPMENT",
        word_uk="спецтехніка",
        aliases=(
            "special",
            "спецтехніка",
            "спеціальна техніка",
            "special military equipment",
            "special military equip",
        ),
        source_keys=("special_military_equip", "special equipment"),
        bulletin_terms=(
            r"special(?:\s+military)?(?:\s+equipment)?",
            r"спеціальн\w*(?:\s+техні\w*)?",
            r"спецтехні\w*",
            r"специальн\w*(?:\s+техник\w*)?",
            r"спецтехник\w*",
        ),
    ),
    Category(
        "ground_robots",
        "CATEGORY_GROUND_ROBOTS",
        word_uk="НРК",
        aliases=("robots", "robot", "ugv", "ugvs", "нрк", "роботи", "ground robots"),
        source_keys=("ground robotic systems", "ground_robotic_systems"),
        bulletin_terms=(
            r"(?:ground\s+)?robot\w*(?:\s+systems?)?",
            r"(?:наземн\w*\s+)?робот\w*(?:\s+комплекс\w*)?",
            r"нрк",
        ),
    ),
    Category(
        "srbm",
        "CATEGORY_SRBM",
        word_uk="ОТРК",
        aliases=("srbm", "srbms", "отрк", "трк", "iskander", "atgm srbm systems"),
        source_keys=("atgm_srbm_systems", "mobile SRBM system"),
        bulletin_terms=(
            r"(?:mobile\s+)?srbm(?:\s+systems?)?",
            r"(?:пусков\w*\s+установк\w*\s+)?отрк",
            r"трк",
        ),
        last_reported=date(2022, 4, 30),
    ),
    Category(
        "military_vehicles",
        "CATEGORY_MILITARY_VEHICLES",
        word_uk="автомобільна техніка",
        aliases=("military auto", "military vehicles"),
        source_keys=("military auto",),
        bulletin_terms=(
            r"military\s+(?:auto|vehicles?)",
            r"vehicles?",
            r"automotive(?:\s+(?:equipment|vehicles?))?",
            r"автомобільн\w*(?:\s+техні\w*)?",
            r"автотехні\w*",
            r"автомобильн\w*(?:\s+техник\w*)?",
            r"автотехник\w*",
        ),
        merged_into="vehicles",
        last_reported=date(2022, 4, 30),
    ),
    Category(
        "fuel_tanks",
        "CATEGORY_FUEL_TANKS",
        word_uk="цистерни",
        aliases=("fuel tank", "tankers", "цистерни"),
        source_keys=("fuel tank",),
        bulletin_terms=(r"fuel\s+tanks?", r"(?:авто)?цистерн\w*(?:\s+з\s+пмм)?"),
        merged_into="vehicles",
        last_reported=date(2022, 4, 30),
    ),
    Category(
        "pow",
        "CATEGORY_POW",
        word_uk="полонені",
        aliases=("prisoners", "prisoners of war", "полонені"),
        source_keys=("POW",),
        bulletin_terms=(r"prisoners(?:\s+of\s+war)?", r"pows?", r"полонен\w*", r"военнопленн\w*"),
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


@cache
def _words() -> dict[str, str]:
    """{a word people type for a category, normalised: its key}: the keys, the names in every
    language (read from each catalogue, so a reader of either may type either), the aliases
    and the sources' spellings. Built when someone first types one: reading the catalogues
    of every language is work a command that takes no category need not do."""
    return {
        normalise(word): c.key
        for c in CATEGORIES
        for word in (
            c.key,
            *(c.name(language) for language in texts.LANGUAGES),
            *c.aliases,
            *c.source_keys,
        )
    }


@cache
def _longest_word() -> int:
    """How many words the longest of `_words` has: the longest phrase `resolve` tries."""
    return max(len(word.split()) for word in _words())


@cache
def _terms() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each category's bulletin terms, compiled when a bulletin is first read (a third of
    this module's import time otherwise, for commands that read none)."""
    return tuple(
        (re.compile(rf"(?<!\w)(?:{term})(?!\w)", re.IGNORECASE), c.key)
        for c in CATEGORIES
        for term in c.bulletin_terms
    )


def get(key: str) -> Category:
    """The category for a stored key; a key no source spelled before gets a name made from it."""
    if key in BY_KEY:
        return BY_KEY[key]
    return Category(key, "", known=False)


def with_predecessors(keys: Iterable[str]) -> set[str]:
    """The categories whose figures the changes of `keys` need: each one, and the ones that
    were merged into it (the day of a merger compares with their sum)."""
    wanted = set(keys)
    return wanted | {c.key for c in CATEGORIES if c.merged_into in wanted}


def from_source_key(spelling: str) -> str:
    """The canonical key for a source's field name, or a new stable key made from it."""
    return _BY_SOURCE_KEY.get(normalise(spelling)) or _slug(spelling)


def bulletin_categories(label: str, day: date | None = None) -> list[str]:
    """The categories a bulletin label names, in the order written, each once.

    Every term of every category is looked for; the longest match wins and shorter ones inside
    it are dropped, so 'armoured personnel carriers' is never personnel and 'vehicles and fuel
    tanks' never fuel tanks. On a `day` after a retired category's last one, its name means
    its successor ('automotive equipment' is vehicles and fuel tanks after April 2022).
    """
    found = [
        (match.start(), match.end(), key)
        for pattern, key in _terms()
        for match in pattern.finditer(label)
    ]
    chosen: list[tuple[int, int, str]] = []
    for start, end, key in sorted(found, key=lambda m: (m[0] - m[1], m[0])):
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in chosen):
            chosen.append((start, end, key))
    keys: list[str] = []
    for _, _, key in sorted(chosen):
        category = BY_KEY[key]
        retired = day and category.last_reported and day > category.last_reported
        key = category.merged_into if retired and category.merged_into else key
        if key not in keys:
            keys.append(key)
    return keys


def sort_keys(keys: Iterable[str]) -> list[str]:
    """Registry order (the bulletin's own order), unknown categories after, alphabetically."""
    return sorted(keys, key=lambda k: (ORDER.get(k, len(ORDER)), k))


# Words for "every category" (the bulletin's "all" button, a subscription back to all of them).
ALL_WORDS = {"all", "усі", "все", "всі"}


@dataclass(frozen=True)
class Unknown:
    """A word that names no category, with the closest keys to offer instead."""

    word: str
    suggestions: tuple[str, ...]


class UnknownCategories(UserError):
    """Words that named no category, each with its suggestions; `example` names the command
    whose example ends the answer (the message EXAMPLE_<example>). The front end says it in the
    reader's language (render.unknown_categories, after '/' in a chat); str() is for the log."""

    def __init__(self, unknown: Sequence[Unknown], example: str) -> None:
        super().__init__("unknown categories: " + ", ".join(item.word for item in unknown))
        self.unknown = tuple(unknown)
        self.example = example


def resolve(words: Sequence[str], also: Iterable[str] = ()) -> tuple[list[str], list[Unknown]]:
    """Turn what a person typed into category keys, longest phrases first.

    `['air', 'defence', 'tanks']` gives `['air_defence', 'tanks']`; a word that matches nothing
    comes back with the closest suggestions. `also` are stored keys the registry does not know
    (a category the source started sending): they answer to their key and their name.
    """
    extra = {
        normalise(word): key for key in also if key not in BY_KEY for word in (key, get(key).name())
    }
    found: list[str] = []
    unknown: list[Unknown] = []
    i = 0
    while i < len(words):
        for size in range(min(_longest_word(), len(words) - i), 0, -1):
            phrase = normalise(" ".join(words[i : i + size]))
            key = _words().get(phrase) or extra.get(phrase)
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
    """The keys whose names or aliases are closest to a misspelt word: current categories only,
    since a retired one ('fuel tanks', merged in 2022) has no figure to show today."""
    matches = difflib.get_close_matches(normalise(word), _current_words(), n=limit * 4, cutoff=0.6)
    keys = dict.fromkeys(_words()[m] for m in matches)
    return tuple(keys)[:limit]


@cache
def _current_words() -> list[str]:
    """The words of `_words` that name a category the bulletin still carries."""
    return [w for w, key in _words().items() if BY_KEY[key].last_reported is None]
