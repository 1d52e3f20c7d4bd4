"""The category registry: what people type, how sources spell it, suggestions."""

from __future__ import annotations

import pytest

from bot import categories, texts


@pytest.mark.parametrize(
    "word, key",
    [
        ("tanks", "tanks"),
        ("tank", "tanks"),
        ("Танки", "tanks"),
        ("apv", "afv"),
        ("afv", "afv"),
        ("bbm", "afv"),
        ("ББМ", "afv"),
        ("mlrs", "mlrs"),
        ("rszv", "mlrs"),
        ("рсзв", "mlrs"),
        ("drones", "uav"),
        ("uav", "uav"),
        ("бпла", "uav"),
        ("planes", "aircraft"),
        ("aircraft", "aircraft"),
        ("ships", "warships"),
        ("troops", "personnel"),
        ("personnel", "personnel"),
        ("soldiers", "personnel"),
        ("ппо", "air_defence"),
        ("Air-Defence", "air_defence"),
        ("subs", "submarines"),
    ],
)
def test_aliases_people_type(word, key):
    assert categories.resolve([word]) == ([key], [])


def test_phrases_of_several_words_and_duplicates():
    found, unknown = categories.resolve(["air", "defence", "tanks", "tank", "cruise", "missiles"])
    assert (found, unknown) == (["air_defence", "tanks", "cruise_missiles"], [])


def test_an_unknown_word_gets_the_closest_suggestions():
    found, unknown = categories.resolve(["tankz", "artilery", "xyzzy"])
    assert found == []
    assert [u.word for u in unknown] == ["tankz", "artilery", "xyzzy"]
    assert unknown[0].suggestions[0] == "tanks"
    assert unknown[1].suggestions[0] == "artillery"
    assert unknown[2].suggestions == ()


@pytest.mark.parametrize(
    "spelling, key",
    [
        ("armoured_fighting_vehicles", "afv"),
        ("APC", "afv"),
        ("personnel_units", "personnel"),
        ("aa_warfare_systems", "air_defence"),
        ("anti-aircraft warfare", "air_defence"),
        ("military auto", "military_vehicles"),
        ("ground robotic systems", "ground_robots"),
        ("laser_systems", "laser_systems"),
        ("Laser Systems", "laser_systems"),
    ],
)
def test_source_spellings(spelling, key):
    assert categories.from_source_key(spelling) == key


def test_an_unknown_key_gets_a_readable_name_and_sorts_last():
    assert categories.get("laser_systems").name("en") == "Laser systems"
    assert categories.get("laser_systems").name("uk") == "Laser systems"
    assert not categories.get("laser_systems").known
    assert categories.sort_keys(["laser_systems", "tanks", "personnel"]) == [
        "personnel",
        "tanks",
        "laser_systems",
    ]


def test_every_category_is_named_in_every_catalogue_and_has_bulletin_terms():
    """A category's name and note are catalogue messages the registry names: each must be in
    every language's catalogue (the check of names the code uses sees only texts.NAME)."""
    for category in categories.CATEGORIES:
        assert category.name_message and category.bulletin_terms
        for language in texts.LANGUAGES:
            for message in filter(None, (category.name_message, category.oryx_note)):
                assert message in texts.catalogue(language), (language, message)
            name = category.name(language)
            assert categories.bulletin_categories(name) == [category.key], name


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_a_name_in_either_language_is_understood_whatever_the_reader_speaks(speak, language):
    """Typed names are looked up in every catalogue, not the reader's own: an English reader
    may type 'Бойові броньовані машини', a Ukrainian one 'Armoured combat vehicles'."""
    speak(language)
    for category in categories.CATEGORIES:
        for name in (category.name("en"), category.name("uk")):
            assert categories.resolve(name.split()) == ([category.key], []), name


@pytest.mark.parametrize(
    "key, language, name, note_begins",
    [
        ("afv", "en", "Armoured combat vehicles", "Oryx's AFVs, IFVs, APCs, MRAPs and infantry"),
        ("afv", "uk", "Бойові броньовані машини", "за Oryx: разом ББМ, БМП, БТР, MRAP"),
        ("uav", "uk", "БпЛА оперативно-тактичного рівня", "порівнянного підрахунку Oryx немає"),
        ("tanks", "uk", "Танки", None),  # Oryx's tanks are the bulletin's: nothing to note
    ],
)
def test_names_and_notes_in_the_readers_language(key, language, name, note_begins):
    category = categories.get(key)
    assert category.name(language) == name
    note = category.note(language)
    assert note.startswith(note_begins) if note_begins else note == ""
