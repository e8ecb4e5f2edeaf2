"""Kinds of miss found by error analysis in version 2 (2026-11), each with what must stay beside it.

Every case is written here, not copied from a corpus: the lexicon entries they exercise
were added by kind of miss (a street address's unit, a past-tense status, a date of birth),
and each "stays" case guards the ordinary sentence the new entry could have swallowed.
"""

from __future__ import annotations

import pytest

from .support import assert_removed, assert_unchanged

GOES = [
    ("en", "He came to 1120 Oak St NE #804 and waited.", ["NE", "#804", "1120"]),
    ("en", "She lives at 55 Pine Rd, Apt 12B, with her kids.", ["12B"]),
    ("en", "I was born 05/23/1993 in Fresno.", ["1993"]),
    ("en", "I haven't worked since I got out of jail in 2021.", ["jail", "2021"]),
    ("en", "I wasn't high that night, he was.", ["high that"]),
    ("en", "He booked me, then posed as a customer to get in.", ["customer"]),
    ("en", "I keep it where I keep my earnings.", ["earnings"]),
    ("en", "He took my tips from earlier and ran.", ["tips", "earlier"]),
    ("en", "I'm on DACA but it lapsed and I haven't renewed.", ["DACA", "lapsed", "renewed"]),
    ("en", "He said he'd pay after and then he choked me.", ["pay after"]),
    ("es", "No tenía papeles cuando pasó.", ["papeles"]),
    ("es", "Trabajo en un masaje en la calle 5.", ["masaje"]),
    ("es", "Me inyecto, no lo voy a negar.", ["inyecto"]),
    ("es", "Me quitó todo lo que había juntado en la semana, como 900 dólares.", ["juntado", "semana", "900"]),
    ("es", "Nací el 4 de marzo de 1990.", ["1990"]),
    ("es", "Vivo en 2250 Calle Ocho, apto 5.", ["2250", "apto 5"]),
    ("es", "El que nos maneja me pegó con el cinturón.", ["maneja"]),
    ("es", "Él sabía a lo que me dedico.", ["dedico"]),
]

STAYS = [
    ("en", "He hired me to work construction and then he hit me with a shovel."),
    ("en", "He touched my privates and I screamed."),
    ("en", "I got out of the car and ran to the gas station."),
    ("en", "It happened on 05/23/2026 around 11 pm."),
    ("en", "He drove a white Civic and had a tattoo on his neck."),
    ("es", "Trabajo en un restaurante y él me siguió hasta la parada."),
    ("es", "Me pegó en la cara y me rompió el labio."),
    ("es", "Él tenía papeles de la corte en el carro."),
]


@pytest.mark.parametrize(("lang", "text", "gone"), GOES)
def test_it_removes(lang, text, gone):
    assert_removed(lang, text, gone)


@pytest.mark.parametrize(("lang", "text"), STAYS)
def test_it_keeps(lang, text):
    assert_unchanged(lang, text)
