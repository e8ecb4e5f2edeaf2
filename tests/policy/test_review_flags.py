"""Review flags (policy/review): each reason fires on phrasings of its own, in English and
Spanish, and stays quiet on the ordinary sentences that share its words.

Every sentence here was written for this file: none comes from the evaluation corpora.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy.freetext import redact_free_text
from policy.review import REASONS, Flag, find_flags
from policy.review.flagger import Flagger
from policy.review.lexicon import ReviewLexiconError, default_families, load_families


def flagged(text: str, phrase: str) -> set[str]:
    """The reasons of the flags over ``phrase`` if flags cover all of it, else nothing."""
    start, end = text.index(phrase), text.index(phrase) + len(phrase)
    flags = find_flags(text)
    covered = {i for f in flags for i in range(f.start, f.end)}
    if any(i not in covered for i in range(start, end) if not text[i].isspace()):
        return set()
    return {f.reason for f in flags if f.start < end and start < f.end}


def touched(text: str, phrase: str) -> list[Flag]:
    start = text.index(phrase)
    return [f for f in find_flags(text) if f.start < start + len(phrase) and start < f.end]


FIRES = [
    # (reason, text, phrase that must lie inside a flag of that reason)
    ("money", "Afterwards he grabbed back the 350 bucks and ran.", "the 350 bucks"),
    ("money", "Se llevó los 480 que traía en la bolsa.", "los 480"),
    ("payment", "He sent it through Zelle before we met up.", "He sent it through Zelle"),
    ("payment", "Me lo mandó por Cash App antes de vernos.", "Me lo mandó por Cash App"),
    ("date", "He was my fourth date that night.", "my fourth date that night"),
    ("date", "Quedamos en vernos para un rato en su carro.", "Quedamos en vernos para un rato"),
    ("client", "One of my regulars showed up drunk.", "One of my regulars"),
    ("client", "Un cliente fijo me siguió hasta la casa.", "Un cliente fijo"),
    ("booking", "She booked me for an outcall in Reno.", "She booked me for an outcall"),
    ("booking", "Yo hago privados en el segundo piso.", "Yo hago privados"),
    ("venue", "He found me through my listing on Tryst.", "my listing on Tryst"),
    ("venue", "Trabajo en una casa de masajes en Fresno.", "una casa de masajes"),
    ("work", "I've been hustling since I was nineteen.", "I've been hustling"),
    ("work", "Yo ando taloneando en la avenida.", "Yo ando taloneando"),
    ("associate", "Her pimp took her phone away.", "Her pimp"),
    ("associate", "El padrote de mi prima me amenazó.", "El padrote de mi prima"),
    ("drugs", "We both did some fent that night.", "We both did some fent"),
    ("drugs", "Ya no uso nada desde enero.", "Ya no uso nada"),
    ("immigration", "My student visa lapsed last spring.", "My student visa lapsed"),
    ("immigration", "Vine sin papeles por el desierto.", "sin papeles"),
    ("legal", "There is a bench warrant out on me.", "a bench warrant"),
    ("legal", "Tengo una orden pendiente en Texas.", "Tengo una orden pendiente"),
    ("euphemism", "He is my sugar daddy and pays my phone bill.", "He is my sugar daddy"),
    ("euphemism", "Es un arreglo que tenemos desde hace un año.", "Es un arreglo"),
    ("denial", "He was not a customer or anything like that.", "He was not a customer or anything like that"),
    ("denial", "Yo no ando en eso ni nada de eso.", "ni nada de eso"),
    ("identity", "Me and Starla and Bambi share the place.", "Starla"),
    ("identity", "Mi amiga la Chata vio todo.", "la Chata"),
    ("weapon", "I keep a box cutter in my bag for protection.", "I keep a box cutter"),
    ("weapon", "Yo cargo una navaja para defenderme.", "Yo cargo una navaja"),
]


@pytest.mark.parametrize(("reason", "text", "phrase"), FIRES, ids=[f"{r}-{t[:24]}" for r, t, _ in FIRES])
def test_each_reason_fires_on_a_new_phrasing(reason, text, phrase):
    assert reason in flagged(text, phrase), (text, find_flags(text))


def test_every_reason_is_tested_in_both_languages():
    reasons = [r for r, _, _ in FIRES]
    assert set(reasons) == set(REASONS)
    assert all(reasons.count(r) >= 2 for r in REASONS)


QUIET = [
    # Ordinary uses of flagged words (tests/data/README.md lists the traps).
    ("I work the late shift at the gas station on Fremont.", "the late shift at the gas station"),
    ("I went on a first date with a guy from Hinge and he followed me home.", "a first date with a guy from Hinge"),
    ("Iba a mi cita con el doctor cuando me asaltaron.", "Iba a mi cita con el doctor"),
    ("He's a regular at the bar where my sister works.", "He's a regular at the bar"),
    ("I owe him $3000 for the trip and he keeps my passport.", "I owe him $3000 for the trip"),
    ("Le debo 4 mil por el viaje y no me deja salir.", "Le debo 4 mil por el viaje"),
    ("The husband of one of my clients at the salon grabbed me.", "The husband of one of my clients"),
    ("Me violó mi padrastro cuando tenía 12.", "Me violó mi padrastro"),
    ("Mi jefe en la empacadora me tocó el brazo.", "Mi jefe en la empacadora"),
    ("He works as a security guard at the mall.", "He works as a security guard"),
    ("I don't remember the exact date it happened.", "the exact date"),
    ("He said he would call ICE on me.", "call ICE"),
    ("I need a restraining order.", "a restraining order"),
    ("He drugged my drink at the party.", "He drugged my drink"),
    ("He hit me with his flashlight.", "He hit me with his flashlight"),
    ("Me pegó en la calle Alvarado.", "en la calle Alvarado"),
]


@pytest.mark.parametrize(("text", "phrase"), QUIET, ids=[t[:30] for t, _ in QUIET])
def test_ordinary_sentences_stay_quiet(text, phrase):
    assert touched(text, phrase) == [], find_flags(text)


def test_a_clean_story_is_mostly_unflagged():
    text = (
        "Last Tuesday around 10pm a man in a blue Ford Ranger followed me from the bus stop on "
        "Main and grabbed my arm. He had a knife and took my purse and my phone. He is white, "
        "about 40, with a beard. My wrist is sprained and I want to talk to a counselor."
    )
    covered = sum(f.end - f.start for f in find_flags(text))
    assert covered <= 0.15 * len(text)


def test_a_weak_word_needs_a_second_sign():
    # "room" alone is ordinary; beside what the redactor removed, it is worth a look.
    text = "He pushed me into the room and locked it."
    assert find_flags(text) == []
    start = text.index("He pushed")
    flags = find_flags(text, [(0, 2)])  # as if "He" had been removed
    assert flags and all(f.start >= 2 for f in flags) and flags[0].start > start


def test_flags_are_cut_around_removed_runs_and_carried_over_separators():
    text = "I met a new client, about $700, at his place."
    phrase_start = text.index("a new client")
    runs = [(phrase_start + 2, phrase_start + 5)]  # "new" removed
    flags = find_flags(text, runs)
    assert all(not (s < f.end and f.start < e) for f in flags for s, e in runs)
    # The comma between the two flagged clauses is flagged too: nothing in "client, about" is left plain.
    middle = text.index(", about")
    assert any(f.start <= middle < f.end for f in flags)


@st.composite
def text_and_runs(draw):
    text = draw(st.text(max_size=300))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=8))))
    runs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
    return text, runs


@settings(deadline=None)  # the first call loads the word lists
@given(text_and_runs())
def test_flags_stay_in_bounds_sorted_disjoint_and_off_removed_runs(case):
    text, runs = case
    flags = find_flags(text, runs)
    for f in flags:
        assert 0 <= f.start < f.end <= len(text)
        assert f.reason in REASONS
        assert all(not (s < f.end and f.start < e) for s, e in runs)
    assert all(a.end <= b.start for a, b in zip(flags, flags[1:], strict=False))


@settings(deadline=None)  # the first call loads the lexicons
@given(st.text(max_size=400))
def test_the_production_path_accepts_every_text(text):
    redaction = redact_free_text(text)
    for f in redaction.flags_in_text():
        assert 0 <= f.start < f.end <= len(redaction.text)
        assert "[removed]" not in redaction.text[f.start : f.end]


def test_flags_map_onto_the_redacted_text():
    text = "I was working on the stroll. Then the guy from the app sent a deposit through Venmo."
    redaction = redact_free_text(text)
    assert redaction.flags
    for original, mapped in zip(redaction.flags, redaction.flags_in_text(), strict=True):
        assert redaction.text[mapped.start : mapped.end] == text[original.start : original.end]


def test_a_bad_word_list_is_named(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[family]]\nname = "x"\nreason = "nonsense"\nterms = ["a"]\n')
    with pytest.raises(ReviewLexiconError, match="bad.toml"):
        load_families([bad], REASONS)
    bad.write_text('[[family]]\nname = "x"\nreason = "money"\npatterns = ["("]\n')
    with pytest.raises(ReviewLexiconError, match="bad pattern"):
        load_families([bad], REASONS)


def test_every_family_reason_is_a_known_reason():
    assert {f.reason for f in default_families()} <= set(REASONS)


def test_a_flagger_without_families_flags_only_names():
    flagger = Flagger(())
    assert [f.reason for f in flagger.find("Ask Coco, she was there.")] == ["identity"]
