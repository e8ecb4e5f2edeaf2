"""Names and places: where a person's name, a lodging's name, a street or an area begins and ends.

Used by the detectors (a name after "my name is", a motel's name) and by the judging of
removed clauses (the area and cross streets a removed clause leaves in place).
"""

from __future__ import annotations

import re

from .text import _HAS_DIGIT, _WORD, Folded, _capitalised, _last_word, _wordset

# Lodging and work premises: a capitalised name next to one of these goes ("Sunrise Inn",
# "Golden Palm Spa", "Hotel Whitcomb"); the bare word ("a motel") stays.
_LODGING_WORD = (
    "hotel|motel|inn|lodge|suites|hostel|motor inn|motor lodge|resort|posada|hostal|spa|massage|parlor|parlour"
)

_NAME_TOKEN = re.compile(r"[\w'.-]+")
_STOP = _wordset(
    "a an and the i he she they we you it to of in on at for with is was am are be been him them "
    "then so later just only both even also when while after before because "
    "not no yes me my his her their our your this that there here from by as or but if so "
    "el la los las un una y o de del en con por para es soy era fue no si mi tu su"
)


_PLACE_AFTER = _wordset(
    "st street ave avenue blvd boulevard rd road dr drive way park lake creek beach hills heights "
    "valley county city springs point bay station center plaza mall river island"
)


def _name_cased(original: str) -> bool:
    """Capitalised as a name is: not lower case, and not shouting (which carries no signal)."""
    return original[:1].isupper() and not (len(original) > 2 and original.isupper())


def _word_after(text: str, end: int) -> re.Match[str] | None:
    """The word one space after ``end``, if there is one."""
    return _WORD.match(text, end + 1) if text[end : end + 1] == " " else None


def _person_name(folded: Folded, start: int, end: int) -> bool:
    """Whether a listed first name at ``[start, end)`` is a person here, not part of a place."""
    if not _name_cased(folded.original_of(start, end)):
        return False
    before = _last_word(folded.text, start)
    if before is not None and _capitalised(folded.original_of(*before)) and before[1] >= start - 2:
        before_word = folded.text[before[0] : before[1]]
        if before_word not in _STOP and before_word not in _HONORIFICS:
            return False  # "Santa Ana", "San Jose": a place
    after = _word_after(folded.text, end)
    return not (after is not None and after.group() in _PLACE_AFTER)


_NOT_SURNAME = (
    _STOP
    | _PLACE_AFTER
    | _wordset(
        "monday tuesday wednesday thursday friday saturday sunday january february march april may "
        "june july august september october november december lunes martes miercoles jueves viernes "
        "sabado domingo enero febrero marzo abril mayo junio julio agosto septiembre octubre "
        "noviembre diciembre said told called texted asked came went took says tells who"
    )
)


_ARTICLE_BEFORE = re.compile(r"(?<!\w)(?:the|el|la|los|las)\s+\Z")


def _article_start(text: str, start: int) -> int:
    """Where "the " or "el " right before ``start`` begins, else ``start``."""
    m = _ARTICLE_BEFORE.search(text, max(0, start - 8), start)
    return m.start() if m is not None else start


def _town_end(folded: Folded, end: int) -> int:
    """After a street address, ", Garland" or ", North Las Vegas" is part of it."""
    comma = _COMMA_GAP.match(folded.text, end)
    if comma is None:
        return end
    town_end = _name_after(folded, comma.end(), require_capital=True)
    return town_end if town_end > comma.end() else end


_COMMA_GAP = re.compile(r",[ \t]*(?=\w)")


def _surname_end(folded: Folded, end: int) -> int:
    """End of the surname after a first name ending at ``end``, or ``end`` if there is none."""
    w = _word_after(folded.text, end)
    if w is None or w.group() in _NOT_SURNAME or not _name_cased(folded.original_of(w.start(), w.end())):
        return end
    return w.end()


_LODGING_NAMING = re.compile(
    r"\s+(?:is|was|is\s+called|was\s+called|called|named|es|era|se\s+llama|se\s+llamaba|llamado)\s+(?:the\s+|el\s+|la\s+|las\s+|los\s+)?(?=\w)"
)
_LODGING_SECOND = re.compile(
    rf"(?:\s+(?!(?:on|in|at|off|near|by|en|de|del|cerca|por|the|el|la|a)\b)[\w'-]+){{1,3}}\s+(?:{_LODGING_WORD})(?!\w)"
)


def _lodging_span(folded: Folded, start: int, end: int) -> tuple[int, int] | None:
    """Widen "Motel" to its name: "the Royal Pacific Motor Inn", "Hotel Whitcomb"; None if unnamed."""
    text = folded.text
    first = _capitalised_before(folded, start)
    second = _LODGING_SECOND.match(text, end)
    if second is not None:
        # "el motel pacific inn": two lodging words, the name between them.
        return first, second.end()
    last = _capitalised_after(folded, end)
    if first < start or last > end:
        return first, last
    return None


def _capitalised_before(folded: Folded, start: int) -> int:
    """Start of the capitalised words right before ``start`` ("Royal Pacific" Motor Inn)."""
    text = folded.text
    first = start
    for w in reversed(list(_NAME_TOKEN.finditer(text, max(0, start - 60), start))):
        if text[w.end() : first].strip() not in ("", "&", "-"):
            break
        if not _capitalised(folded.original_of(w.start(), w.end())) or w.group() in _STOP:
            break
        first = w.start()
    return first


def _capitalised_after(folded: Folded, end: int) -> int:
    """End of the name after a lodging word ("Hotel Whitcomb", "the motel is the Starlite")."""
    text = folded.text
    last = end
    pos = end
    naming = _LODGING_NAMING.match(text, end)
    if naming is not None:
        # "The motel is the Starlite", "el motel se llama Las Palmas".
        pos = naming.end()
    for w in _NAME_TOKEN.finditer(text, pos, min(len(text), pos + 60)):
        if text[pos : w.start()].strip() not in ("", "&", "-"):
            break
        if w.group() in ("de", "del", "la", "las", "los", "el", "the", "of") and last != end:
            pos = w.end()
            continue
        if not _capitalised(folded.original_of(w.start(), w.end())) or w.group() in _STOP:
            break
        last = w.end()
        pos = w.end()
    return last


_HONORIFICS = _wordset("mr mrs ms miss dr don dona sr sra srta mx")


def _name_after(folded: Folded, pos: int, limit: int = 3, *, require_capital: bool = False) -> int:
    """End of the name that starts at ``pos``: capitalised words, or one word if lower case."""
    text = folded.text
    end = pos
    count = 0
    for w in _NAME_TOKEN.finditer(text, pos, min(len(text), pos + 80)):
        if text[end : w.start()].strip() and not (
            count and text[end - 1] == "." and text[end : w.start()].strip() == "."
        ):
            break
        token = w.group()
        if token.rstrip(".") in _HONORIFICS and token.endswith("."):
            end = w.end()
            count += 1
            continue
        token = token.rstrip(".")
        if not token or token in _STOP:
            break
        original = folded.original_of(w.start(), w.start() + len(token))
        if (count or require_capital) and not _capitalised(original):
            break
        end = w.start() + len(token)
        count += 1
        if count >= limit:
            break
    return end


_INNER_PREPOSITIONS = _wordset("in on off near by at of en de del cerca por")
# Plain words that finish a place name: "the Walmart lot", "Lake Merritt area".
_PLACE_TAILS = _wordset(
    "lot parking station store park mall area district neighborhood neighbourhood side street st "
    "ave avenue road rd blvd boulevard bridge plaza center centre square corner exit stop county "
    "city town village beach pier station terminal"
)


def _area_end(folded: Folded, start: int) -> int:
    """End of the place after a preposition: "Tenderloin", "Van Ness", "his place in Antioch".

    Capitalised words (or ordinals and numbers) make a place; a few plain words are allowed
    before an inner preposition and a capitalised name ("a parking lot in Pasadena").
    """
    text = folded.text
    stop = min(len(text), start + 80)
    if stop <= start:
        return start
    o_start, o_stop = folded.span(start, stop)
    window = folded.original[o_start:o_stop]
    if window.isascii() and window == window.lower() and not _HAS_DIGIT.search(window):
        return start  # no capital and no number: no name (the usual case, found without a loop)
    pos = start
    plain = 0
    after_inner = False
    end = start
    for w in _NAME_TOKEN.finditer(text, start, stop):
        if text[pos : w.start()].strip():
            break
        word = w.group()
        if end > start and word in _PLACE_TAILS:
            end = w.end()
            pos = w.end()
            continue
        if (
            word not in _STOP
            and (plain == 0 or after_inner or end > start)
            and _capitalised(folded.original_of(w.start(), w.end()))
        ):
            end = w.end()
            pos = w.end()
            if word.endswith(".") and len(word) > 3:
                break  # the end of a sentence, not an abbreviation
            continue
        if end > start or word.endswith("."):
            break
        # Not yet in a name: a few plain words, then an inner preposition, then the name.
        after_inner = plain > 0 and word in _INNER_PREPOSITIONS
        plain += 1
        if plain > 4:
            break
        pos = w.end()
    return end


_AREA = re.compile(
    r"(?<!\w)(?:in|at|near|around|by|on|off|across\s+from|outside|en|cerca\s+de|por|frente\s+a|afuera\s+de)"
    r"\s+(?:the\s+|el\s+|la\s+|los\s+|las\s+)?(?=\w)"
)


_CROSS_CONNECTOR = re.compile(r"\s(?:and|&|y|con|at)\s+(?=\w)")
_ORDINAL = re.compile(
    r"\d{1,3}(?:st|nd|rd|th|a|va|o)?|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
)


def _cross_streets(folded: Folded, m: re.Match[str]) -> tuple[int, int] | None:
    """The cross streets around a connector: "Geary and Polk", "16th and Mission", "Mission y 24"."""
    text = folded.text
    # Both sides must look like streets; the right one, read first, rarely does.
    right = _WORD.match(text, m.end())
    if right is None:
        return None
    right_word = right.group()
    right_numbered = _ORDINAL.fullmatch(right_word) is not None
    right_named = right_word not in _STOP and _capitalised(folded.original_of(right.start(), right.end()))
    if not (right_numbered or right_named):
        return None
    left = _last_word(text, m.start() + 1)
    if left is None:
        return None
    left_word = text[left[0] : left[1]]
    left_numbered = _ORDINAL.fullmatch(left_word) is not None
    left_named = left_word not in _STOP and _capitalised(folded.original_of(left[0], left[1]))
    if (left_numbered or left_named) and (left_numbered or right_numbered or (left_named and right_named)):
        return (left[0], right.end())
    return None


_LIST_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+|y\s+|&\s+)?|and\s+|y\s+|&\s+)")


def _name_list(folded: Folded, pos: int) -> list[tuple[int, int, str]]:
    """Capitalised names listed from ``pos``: "Keisha and Nina", "Keisha, Nina y Rosa"."""
    out = []
    text = folded.text
    while True:
        end = _name_after(folded, pos, limit=1, require_capital=True)
        if end <= pos:
            break
        out.append((pos, end, "pii.third_party"))
        sep = _LIST_SEPARATOR.match(text, end)
        if sep is None:
            break
        pos = sep.end()
    return out
