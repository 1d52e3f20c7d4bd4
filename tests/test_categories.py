"""The category registry: what people type, how sources spell it, suggestions."""

from __future__ import annotations

import pytest

from bot import categories


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
    assert categories.get("laser_systems").name_en == "Laser systems"
    assert not categories.get("laser_systems").known
    assert categories.sort_keys(["laser_systems", "tanks", "personnel"]) == [
        "personnel",
        "tanks",
        "laser_systems",
    ]


def test_every_category_has_both_names_and_bulletin_terms():
    for category in categories.CATEGORIES:
        assert category.name_en and category.name_uk and category.bulletin_terms
        for name in (category.name_en, category.name_uk):
            assert categories.bulletin_categories(name) == [category.key], name
