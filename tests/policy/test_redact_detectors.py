"""The detectors of version 3 (2026-11) that need no grammar: contacts, names, places, each with its traps.

These are shapes, not vocabulary: a username joined by "." or "_", an email written out and
followed by a full stop, a surname after a known first name, a town after a street address,
the article before a hotel's name. Every case is written here, not copied from a corpus; each
"stays" case is the ordinary text the new detector could have swallowed.
"""

from __future__ import annotations

import pytest

from policy.redact import redact

from .support import assert_removed, assert_unchanged

GOES = [
    # A spelled-out email at the end of a sentence: the full stop is not part of the domain.
    ("en", "Text me or write lisa.r at example dot com. I do not want cops.", ["lisa.r", "example"]),
    ("es", "Me escribe de tipo.raro88 arroba example punto net. Ayer vino.", ["tipo.raro88", "example"]),
    # Bare usernames, no "@" and no platform named before them.
    ("en", "He messaged me from an account called bossman.420 last week.", ["bossman.420"]),
    ("es", "Su perfil es ramiro.chaparro.915 y me sigue.", ["ramiro.chaparro.915"]),
    ("en", "Her page is jade_blue and she knows him.", ["jade_blue"]),
    # A cashtag with a dot in it goes whole.
    ("es", "Me mandó dinero a mi $yesi.linda23 ayer.", ["yesi", "linda23"]),
    # A surname after a listed first name; a lower-case honorific before a capitalised name.
    ("en", "He posted my name, Ashley Nguyen, online.", ["Ashley", "Nguyen"]),
    ("es", "Trabajamos en la casa de don Lalo en Hyattsville.", ["Lalo"]),
    # The town after a street address; a Spanish address with "de Calle".
    ("en", "He found my address, 88 Pine Grove Ln, Garland, on a forum.", ["88", "Pine Grove", "Garland"]),
    ("es", "Vivo en el 2290 de Calle Ocho, apartamento 4B.", ["2290", "Ocho", "4B"]),
    # The article before a hotel's name, and chains without "hotel" in their name.
    ("en", "He set it up at the Extended Stay on Northwest Hwy.", ["the Extended", "Stay"]),
    ("en", "He put me up at the Sonesta for the weekend.", ["the Sonesta", "Sonesta"]),
    ("en", "It was room 12 at the Budget Host off I-35.", ["Budget Host", "the Budget"]),
    # Earnings: the period and the sum after them, and the tip, go with them.
    ("en", "He went through my bag and took my earnings for the week, about 2200, and left.", ["week", "2200"]),
    ("es", "Me quitaron el pisto de toda la semana, como 1,100, y se fueron.", ["pisto", "1,100"]),
    ("en", "Then he grabbed my purse with the $350 plus tip and ran.", ["350", "tip"]),
    ("es", "Me robaron toda la plata del finde en la 95.", ["plata", "finde"]),
    ("en", "Two guys jumped us and took la feria from the night.", ["feria", "night"]),
    # Stage and work names.
    ("es", "Mi nombre artístico es Luna Caramelo.", ["Luna", "Caramelo"]),
    ("en", "My ad name is Velvet Rose.", ["Velvet", "Rose"]),
]

STAYS = [
    ("en", "It happened around 5.30pm in the U.S. at 2 a.m. on Friday."),
    ("en", "He drove a red F-150, plate 7ABC123, about 2.5 miles."),
    ("en", "He lives on Ashley Street near the park."),
    ("en", "He drives a black Chevy Suburban with tinted windows."),
    ("en", "He rented an airbnb in Scottsdale and locked me in."),
]


@pytest.mark.parametrize(("lang", "text", "gone"), GOES)
def test_it_removes(lang, text, gone):
    assert_removed(lang, text, gone)


@pytest.mark.parametrize(("lang", "text"), STAYS)
def test_it_keeps(lang, text):
    assert_unchanged(lang, text)


def test_a_day_after_a_name_is_not_her_surname():
    result = redact("He grabbed Maria Friday night outside the store.", "en")[0]
    assert "Maria" not in result and "Friday night outside the store." in result


def test_earnings_tail_stops_at_what_else_was_taken():
    result = redact("He went through my bag and took my earnings for the week, about 2200, plus my car keys.", "en")[0]
    assert "2200" not in result and "took" in result and "plus my car keys." in result
    result = redact("Me quitaron el pisto de toda la semana, como 1,100, y el celular.", "es")[0]
    assert "1,100" not in result and "Me quitaron" in result and "y el celular." in result


def test_a_debt_in_trafficking_stays():
    assert_unchanged("en", "He said I owe him 3000 for the trip.")


def test_address_without_town_keeps_what_follows():
    result = redact("I live at 500 Oak St, and then he hit me.", "en")[0]
    assert "500" not in result and ", and then he hit me." in result


def test_unnamed_motel_stays():
    result = redact("He hit me in the parking lot of a motel on Route 9.", "en")[0]
    assert "a motel on Route 9" in result and "hit me" in result
