"""Detectors that need no grammar: contact details, precise places, identity, known identifiers.

They run on every text whatever its language (docs/redaction.md, "How it works", step 8).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache

import phonenumbers

from .dispatch import _alternation, _Dispatch
from .lexicon import LEXICON_DIR
from .names import _LODGING_WORD, _STOP
from .text import _fold, _is_word, _wordset

_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
# "luna dot m at example dot com", "rosa arroba example punto com": found from the "at", with
# bounded looks either side, so that a text full of "dot" costs no more than any other.
_SPOKEN_AT = re.compile(r"\s(?:\(|\[)?\s*(?:at|arroba)\s*(?:\)|\])?\s")
_SPOKEN_LOCAL = re.compile(r"[\w.+-]{1,64}(?:\s+(?:dot|punto)\s+[\w.+-]{1,64}){0,3}\Z")
# A written-out dot may have spaces around it; a real "." may not, so that the full stop after
# "example dot com. Then" is not read as one more label of the domain.
_SPOKEN_DOMAIN = re.compile(r"[\w-]{1,30}(?:(?:\s*(?:\(|\[)?\s*(?:dot|punto)\s*(?:\)|\])?\s*|\.)[\w-]{1,30}){1,3}")
_TLDS = _wordset("com net org edu gov me mx es co io us info biz")
_CASHTAG = re.compile(r"\$[a-z][\w-]{1,30}(?:\.[\w-]{1,30})*")
# A username with no "@" and no platform named before it: "an account called bossman.420",
# "su perfil es ramiro.chaparro.915". Letters first, then "." or "_" joining word pieces, one of
# them at least three characters long: "a.m.", "U.S." and "No.5" are not handles, "5.30pm" and
# "2.5" do not start with a letter, "F-150" has no dot.
_DOTTED_HANDLE = re.compile(r"(?<![\w@$.])[a-z][a-z0-9]*(?:[._][a-z0-9]+)+(?![\w@])")
_HANDLE = re.compile(r"@[\w.]{2,40}")
_PHONE_DIGITS = re.compile(r"\d(?:[ \t().\-]{0,3}\d){6,15}(?!\w)")
_DATE_LIKE = re.compile(r"\d{1,2}-\d{1,2}-(?:\d{2}|\d{4})|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{2,4}")
_DIGIT_WORDS = (
    "zero|oh|one|two|three|four|five|six|seven|eight|nine|cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve"
)
_DIGITS_BEFORE = re.compile(r"(?<![\w+])\+?\(?\d[\d().\-\s]*\s\Z")
_DIGIT_TOKEN = re.compile(rf"\d|(?<!\w)(?:{_DIGIT_WORDS})(?!\w)")
_STREET_SUFFIX = (
    "st|street|ave|av|avenue|blvd|boulevard|rd|road|dr|drive|ln|lane|way|ct|court|pl|place|"
    "ter|terrace|pkwy|parkway|hwy|highway|cir|circle|sq|square|aly|alley"
)
# Written "\d(?:\d{0,5}...|\d{0,5}...)" rather than "\d{1,6}...|\d{1,6}...": the same matches, but a
# pattern that begins with a character class lets the regex engine skip to the next digit.
_ADDRESS_NUMBER = re.compile(
    rf"\d(?:\d{{0,5}}[a-z]?\s+(?:[nsew]\.?\s+)?(?:(?!(?:on|at|in|off|near|by|and|to|from|of|the)\s)[a-z0-9'.]+\s+){{0,3}}?(?:{_STREET_SUFFIX})\b\.?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|room|rm|#)\.?\s*#?\s*[\w-]{1,6})?"
    # Spanish: "el 1520 de la calle Bonnie Brae"
    r"|\d{0,5}\s+(?:de\s+(?:la\s+)?|del\s+)(?:calle|avenida|av\.?|calzada|boulevard|blvd\.?)\s+[a-z0-9'.]+(?:\s+(?!y\s|en\s|con\s)[a-z0-9'.]+){0,2})"
)

# Language-independent detectors that start at a word: (kind, regex).
_GLOBAL_DETECTORS: tuple[tuple[str, str], ...] = (
    (
        "contact.platform",
        r"(?<!\w)(?:(?:ig|insta|instagram|snap|snapchat|sc|twitter|tiktok|telegram|tg|kik|signal|"
        r"whatsapp|wa|facebook|fb|onlyfans|fansly|tryst|eros|cashapp|cash\s+app|venmo|zelle|paypal|"
        r"handle|username|user\s+name|screen\s+name|usuario|user|gamertag)(?!\w)|my\s+@|mi\s+@)"
        r"\s*(?:(?:is|es|:|=|->|was|era)\s*|\s(?=[@$]))[@$]?(?P<h>[\w.$-]{2,40})",
    ),
    (
        "contact.platform",
        r"(?<!\w)(?:posts|posted|posting|goes|went|go|going|known|listed|signs|signed)\s+(?:as|by|under)\s+"
        r"[\"']?@?(?P<h>\w*[\d_.]\w*[\w.]*)",
    ),
    ("contact.platform", r"(?<!\w)(?:ig|insta|snap|sc|tg|kik|wa|fb|cashapp|venmo)\s+@?(?P<h>\w*[\d_.]\w*[\w.]*)"),
    (
        "contact.spoken_phone",
        rf"(?<!\w)(?:{_DIGIT_WORDS})(?:(?:[\s,.\-]{{1,3}}|(?=\d))(?:\d|{_DIGIT_WORDS})){{6,14}}(?!\w)",
    ),
    (
        "location.address",
        r"(?<!\w)(?:calle|avenida|av\.|avda\.?|blvd\.?|boulevard|calzada|privada|cerrada|callejon)\s+"
        r"(?:[a-z'.]+\s+){1,4}?(?:#\s*|no\.?\s*|numero\s*)?\d{1,6}[a-z]?(?!\w)",
    ),
    (
        "location.unit",
        r"(?<!\w)(?:room|rm|apt|apartment|unit|suite|ste|cuarto|habitacion|depto|departamento|depa|"
        r"interior|int)\.?\s*(?:#|no\.?|number|numero)?\s*\d{1,5}[a-z]?(?!\w)"
        r"(?!\s+(?:days?|weeks?|hours?|hrs?|months?|years?|times?|nights?|minutes?|mins?|dias|semanas|horas|meses|anos|veces|noches))"
        r"|(?<!\w)(?:room|rm|apt|apartment|unit|cuarto|habitacion)\s+#\s*\w{1,5}",
    ),
    ("location.lodging", rf"(?<!\w)(?:{_LODGING_WORD})(?!\w)"),
    (
        "location.chain",
        r"(?<!\w)(?:motel\s*6|super\s*8|days\s+inn|red\s+roof(?:\s+inn)?|holiday\s+inn(?:\s+express)?|"
        r"best\s+western|la\s+quinta|comfort\s+inn|travelodge|econo\s*lodge|extended\s+stay(?:\s+america)?|"
        r"quality\s+inn|howard\s+johnson|rodeway(?:\s+inn)?|knights\s+inn|hilton|marriott|hyatt|"
        r"sheraton|westin|ramada|motel\s+one|americas?\s+best\s+value(?:\s+inn)?|budget\s+inn|"
        r"city\s+express|fiesta\s+inn|one\s+hotel|oyo|sonesta|budget\s+host|studio\s*6|hampton\s+inn|"
        r"homewood\s+suites|residence\s+inn|courtyard\s+(?:by\s+)?marriott|fairfield\s+inn|springhill\s+suites|"
        r"candlewood(?:\s+suites)?|microtel|wingate|baymont|crossland|intown\s+suites|woodspring(?:\s+suites)?|"
        r"hometowne\s+studios|suburban\s+(?:studios|extended\s+stay|lodge)|scottish\s+inn|red\s+lion|vagabond\s+inn|"
        r"sleep\s+inn|clarion|wyndham|doubletree|embassy\s+suites|crowne\s+plaza|americinn|e-?z\s*8|"
        r"home2\s+suites|tru\s+by\s+hilton|motel\s*8|regency\s+inn|executive\s+inn|palace\s+inn|"
        r"economy\s+inn|garden\s+inn|siegel\s+suites|hotel\s+6)(?:\s+(?:express|suites|inn))?(?!\w)",
    ),
    (
        "pii.dob",
        r"(?<!\w)(?:born(?:\s+on|\s+in)?|birthday(?:\s+is)?|dob|d\.o\.b\.?|date\s+of\s+birth|"
        r"naci(?:\s+el|\s+en)?|fecha\s+de\s+nacimiento|cumpleanos(?:\s+es)?)\s*:?\s*"
        r"(?:(?:el|on|the)\s+)?"
        r"(?:\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}"
        r"|(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?)?[a-z]{3,10}\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+(?:de(?:l)?\s+)?\d{4}"
        r"|\d{4})",
    ),
    (
        "pii.name",
        r"(?<!\w)(?:(?:my|her|their|our)\s+(?:real\s+|legal\s+|full\s+|first\s+|last\s+|work\s+|working\s+|stage\s+|street\s+|government\s+)?name(?:'s|\s+is|\s+was|:)|"
        r"(?:real|legal|full|work|working|stage|street|government|ad|escort|club|dancer|screen|site|profile|online)\s+name(?:'s|\s+is|:)?|"
        r"name's|i'm\s+called|they\s+call\s+me|people\s+call\s+me|you\s+can\s+call\s+me|call\s+me|"
        r"i\s+go\s+by|(?:she|they)\s+go(?:es)?\s+by|(?:under|by|with)\s+the\s+name(?:\s+of)?|me\s+llamo|se\s+llama|"
        r"(?:mi|su)\s+nombre\s+(?:real\s+|completo\s+|de\s+trabajo\s+|artistico\s+|de\s+batalla\s+|de\s+guerra\s+|en\s+la\s+pagina\s+)?es|me\s+dicen|le\s+dicen|me\s+conocen\s+como|"
        r"(?:mi|su)\s+apellido\s+es|(?:bajo|con)\s+el\s+nombre\s+de)\s+",
    ),
    ("pii.name_capital", r"(?<!\w)(?:soy|this\s+is|aqui\s+(?:es|habla))\s+"),
    ("pii.honorific", r"(?<!\w)(?:dona|don|mrs|mr|ms|miss|sra|sr|srta|senora|senor|seno)\.?\s+(?=\w)"),
)


@cache
def _global_dispatch() -> _Dispatch:
    d = _Dispatch()
    for kind, source in _GLOBAL_DETECTORS:
        d.add(source, kind)
    with (LEXICON_DIR / "names.toml").open("rb") as f:
        d.add_terms((_fold(name) for name in tomllib.load(f).get("first", ())), "pii.first_name")
    return d


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _national_numbers(raw: str) -> set[str]:
    """The digits a phone number can appear as in text: with and without its country code."""
    digits = _digits(raw)
    out = {digits} if len(digits) >= 7 else set()
    for region in ("US", "MX", None):
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        national = phonenumbers.national_significant_number(number)
        if len(national) >= 7:
            out.add(national)
            out.add(str(number.country_code) + national)
    return out


def _flexible_digits(digits: str) -> str:
    return r"[\s().\-+]{0,3}".join(re.escape(d) for d in digits)


class _Known:
    """The reporter's own identifiers, compiled into one pattern."""

    def __init__(self, known: Iterable[str]) -> None:
        parts: list[str] = []
        self.phones: set[str] = set()
        for raw in known:
            if not isinstance(raw, str):
                continue
            value = _fold(raw).strip()
            if not value:
                continue
            digits = _digits(value)
            letters = sum(ch.isalpha() for ch in value)
            if len(digits) >= 7 and letters == 0:
                numbers = _national_numbers(value)
                self.phones |= numbers
                parts.extend(_flexible_digits(n) for n in numbers)
                continue
            if "@" in value and "." in value.split("@")[-1]:
                parts.append(re.escape(value))
                local = value.split("@")[0]
                if len(local) >= 4:
                    parts.append(re.escape(local))
                continue
            handle = value.lstrip("@")
            tokens = [t for t in re.split(r"[\s_.\-]+", handle) if t]
            if not tokens:
                continue
            parts.append("@?" + r"[\s_.\-]{0,3}".join(re.escape(t) for t in tokens))
            for t in tokens:
                if len(t) >= 3 and t not in _STOP and not t.isdigit():
                    parts.append(re.escape(t))
        self.pattern = re.compile(r"(?<!\w)(?:" + _alternation(parts) + r")(?!\w)") if parts else None


def _phone_spans(text: str, known_phones: set[str]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    pos = 0
    while (m := _PHONE_DIGITS.search(text, pos)) is not None:
        pos = m.end()
        digits = _phone_digits(text, m)
        if digits is None:
            continue
        start, end = _phone_extent(text, m.start(), m.end())
        out.append((start, end, "contact"))
        if any(digits.endswith(p) or p.endswith(digits) for p in known_phones) or _OWN_NUMBER_CUE.search(
            text[max(0, start - 40) : start]
        ):
            # Introduced as the writer's own ("call me at", "mi número es"): it is the reporter's,
            # whichever field it was typed into, so no field may keep it as the perpetrator's.
            out.append((start, end, "pii.reporter"))
    return out


def _phone_digits(text: str, m: re.Match[str]) -> str | None:
    """The digits of a candidate phone number, or None if it is not one (inside a word, a date,
    too few or too many digits)."""
    start = m.start()
    if start and (_is_word(text[start - 1]) or text[start - 1] == "+" and start > 1 and _is_word(text[start - 2])):
        return None
    candidate = m.group()
    if _DATE_LIKE.fullmatch(candidate.strip("()")):
        return None
    digits = _digits(candidate)
    return digits if 7 <= len(digits) <= 15 else None


def _phone_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """A phone number's whole extent: a country code and brackets before, an extension after."""
    # Country code and brackets before the digits: "+52 55 ...", "(415) ...".
    while start and text[start - 1] in "(+ " and text[start - 1 : start + 1] != " (":
        if text[start - 1] == " " and not (start > 1 and text[start - 2] == "+"):
            break
        start -= 1
    # Let phonenumbers find the exact extent (it knows extensions and country codes);
    # whatever it says, deny by default: the candidate goes even if it is not a valid number.
    window = text[start : min(len(text), end + 20)]
    for region in ("US", "MX"):
        for match in phonenumbers.PhoneNumberMatcher(window, region, leniency=phonenumbers.Leniency.POSSIBLE):
            if match.start == 0:
                end = max(end, start + match.end)
    return start, end


_OWN_NUMBER_CUE = re.compile(
    r"(?:\b(?:call|text|reach|contact|message|whatsapp|dm)\s+me\b|\bmy\s+(?:\w+\s+)?(?:number|phone|cell|celly|line)\b"
    r"|\bme\s+at\b|\b(?:ll[aá]m[ae]me|m[aá]rcame|escr[ií]beme|textea?me|mand[ae]me)\b"
    r"|\bmi\s+(?:n[uú]mero|tel[eé]fono|cel(?:ular)?|whats(?:app)?)\b)[^\n]{0,25}$",
    re.IGNORECASE,
)


_NAME_ARTICLE = re.compile(r"(?:la|el|the)\s+")
_POSSESSIVE_CONTACT = re.compile(
    r"'s\s+(?:number|phone|cell|email|ig|insta|instagram|snap|snapchat|handle|address|whatsapp|telegram)(?!\w)"
)
_PLATFORM_REGEXES = tuple(re.compile(source) for kind, source in _GLOBAL_DETECTORS if kind == "contact.platform")


def _spoken_emails(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _SPOKEN_AT.finditer(text):
        domain = _SPOKEN_DOMAIN.match(text, m.end())
        if domain is None:
            continue
        tld = re.split(r"\W+", domain.group())[-1]
        if tld not in _TLDS:
            continue
        local = _SPOKEN_LOCAL.search(text, max(0, m.start() - 200), m.start())
        if local is None:
            continue
        out.append((local.start(), domain.end(), "contact"))
    return out


_JOINER = re.compile(r"[._](?=[a-z0-9])")


def _handle_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c in "._")


def _dotted_handles(text: str) -> list[tuple[int, int, str]]:
    """Usernames written bare ("bossman.420", "jade_blue"), found from their "." or "_"."""
    out: list[tuple[int, int, str]] = []
    reach = -1
    for m in _JOINER.finditer(text):
        pos = m.start()
        if pos < reach or pos == 0 or not text[pos - 1].isalnum():
            continue
        start = pos
        while start > 0 and _handle_char(text[start - 1]):
            start -= 1
        end = pos
        while end < len(text) and _handle_char(text[end]):
            end += 1
        while end > pos and text[end - 1] in "._":
            end -= 1
        reach = end
        handle = _DOTTED_HANDLE.fullmatch(text, start, end)
        if handle is None or end - start < 5:
            continue
        if max(len(piece) for piece in re.split(r"[._]", text[start:end])) < 3:
            continue  # "a.m.", "u.s.a", "no.5"
        out.append((start, end, "contact"))
    return out
