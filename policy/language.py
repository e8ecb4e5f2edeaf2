"""Which language a free-text answer is written in: by script first, then by common words.

Deterministic and small on purpose: no model, no data from elsewhere. It feeds the redaction
decision (automatic removal exists for English and Spanish only, `AUTOMATIC`) and tells staff
which language each answer is in, so an answer in Thai goes to someone who reads Thai.

Scripts decide most languages at once: Hangul is Korean, Thai script is Thai, Han characters
are Chinese (Traditional or Simplified by the characters that differ; kana makes it Japanese,
which Harbor does not offer). Latin text is told apart by Vietnamese letters (ơ, ư, đ, and the
stacked tone marks) and by counting each language's commonest words, accented or not, since
phones often type Vietnamese without its marks. Text is read in parts (lines and sentences), so a
mixed answer names every language it holds.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Final

#: Every language Harbor's reporter pages are written in, with its English name (for staff).
NAMES: Final = {
    "en": "English",
    "es": "Spanish",
    "zh-hant": "Chinese (Traditional)",
    "zh-hans": "Chinese (Simplified)",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "ko": "Korean",
    "th": "Thai",
    "ja": "Japanese",
}
#: The languages the redactor's detectors are written for.
AUTOMATIC: Final = frozenset({"en", "es"})
UNKNOWN: Final = "und"

# Characters whose Simplified and Traditional forms differ, among the commonest in a report.
_SIMPLIFIED: Final = frozenset(
    "这说个们时国会来对没还钱后让给话为发开关见车门问间点报里么东这样过头边进几认识电护医院帮杀伤枪钟书买卖应该"
    "谁难爱经长场现实听觉欢赶带让从习体龙两红颜热脑复剑剧军员气无与乐亲闭单将断战户执扫抢护险营华归录乱"
)
_TRADITIONAL: Final = frozenset(
    "這說個們時國會來對沒還錢後讓給話為發開關見車門問間點報裡麼東這樣過頭邊進幾認識電護醫院幫殺傷槍鐘書買賣應該"
    "誰難愛經長場現實聽覺歡趕帶讓從習體龍兩紅顏熱腦復劍劇軍員氣無與樂親閉單將斷戰戶執掃搶護險營華歸錄亂"
)
_VIETNAMESE_LETTERS: Final = frozenset("ăâđêôơưĂÂĐÊÔƠƯ")
# Vowels with a tone mark that Spanish never writes (Spanish has only á é í ó ú ü ñ).
_VIETNAMESE_TONES: Final = frozenset(
    "àảãạằẳẵặắầẩẫậấèẻẽẹềểễệếìỉĩịòỏõọồổỗộốờởỡợớùủũụừửữựứỳỷỹỵýÀẢÃẠẰẲẴẶẮẦẨẪẬẤÈẺẼẸỀỂỄỆẾÌỈĨỊÒỎÕỌỒỔỖỘỐỜỞỠỢỚÙỦŨỤỪỬỮỰỨỲỶỸỴÝ"
) - frozenset("áéíóúÁÉÍÓÚ")

_WORDS: Final = {
    "en": frozenset(
        [
            "the",
            "and",
            "i",
            "was",
            "he",
            "she",
            "me",
            "my",
            "to",
            "of",
            "it",
            "in",
            "that",
            "is",
            "you",
            "her",
            "him",
            "with",
            "at",
            "for",
            "on",
            "not",
            "but",
            "they",
            "we",
            "were",
            "had",
            "have",
            "did",
            "didn't",
            "don't",
            "said",
            "told",
            "after",
            "when",
            "then",
            "there",
            "this",
            "what",
            "from",
            "a",
            "an",
            "took",
            "hit",
            "got",
            "by",
            "his",
            "our",
            "your",
            "are",
            "be",
            "been",
            "would",
            "could",
            "so",
            "if",
            "or",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "que",
            "y",
            "en",
            "me",
            "mi",
            "un",
            "una",
            "se",
            "no",
            "por",
            "con",
            "para",
            "pero",
            "lo",
            "le",
            "del",
            "al",
            "es",
            "estaba",
            "fue",
            "yo",
            "él",
            "ella",
            "nos",
            "muy",
            "cuando",
            "porque",
            "dijo",
            "tenía",
            "había",
            "su",
            "sus",
            "como",
            "más",
            "ya",
            "también",
            "eso",
            "esto",
            "donde",
            "después",
            "noche",
            "casa",
            "hombre",
            "dinero",
        ]
    ),
    "tl": frozenset(
        [
            "ang",
            "ng",
            "mga",
            "sa",
            "ako",
            "siya",
            "ko",
            "niya",
            "ay",
            "hindi",
            "akin",
            "kanya",
            "po",
            "ito",
            "naman",
            "lang",
            "yung",
            "kasi",
            "may",
            "nila",
            "namin",
            "kami",
            "sila",
            "ka",
            "mo",
            "ikaw",
            "nang",
            "nung",
            "noong",
            "pera",
            "bahay",
            "lalaki",
            "babae",
            "sinabi",
            "ginawa",
            "pumunta",
            "sinaktan",
            "kinuha",
            "binugbog",
            "gabi",
            "kahapon",
            "ngayon",
            "talaga",
            "din",
            "rin",
            "daw",
            "raw",
            "ba",
            "si",
            "kay",
            "ni",
        ]
    ),
    # Vietnamese's commonest words with their marks and as phones type them without.
    "vi": frozenset(
        [
            "và",
            "không",
            "tôi",
            "của",
            "người",
            "là",
            "có",
            "được",
            "anh",
            "em",
            "một",
            "những",
            "cho",
            "với",
            "đã",
            "này",
            "đó",
            "thì",
            "bị",
            "đánh",
            "tiền",
            "nhà",
            "khi",
            "lúc",
            "rồi",
            "ra",
            "vào",
            "nó",
            "họ",
            "chúng",
            "ông",
            "bà",
            "cô",
            "chị",
            "khong",
            "toi",
            "cua",
            "nguoi",
            "duoc",
            "mot",
            "nhung",
            "voi",
            "da",
            "nay",
            "do",
            "thi",
            "bi",
            "danh",
            "tien",
            "nha",
            "roi",
            "vao",
            "chung",
            "ong",
            "ba",
            "chi",
            "lam",
            "gi",
            "sao",
        ]
    ),
}
_SPLIT: Final = re.compile(r"(?<=[.!?。！？\n])\s*|\n+")
_WORD: Final = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_ASCII_LETTER: Final = re.compile(r"[A-Za-z]")
_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")
_VIETNAMESE: Final = re.compile("[" + re.escape("".join(sorted(_VIETNAMESE_LETTERS | _VIETNAMESE_TONES))) + "]")


@dataclass(frozen=True, slots=True)
class Detection:
    """The languages of a text: `main` (the most of it), and every language found, most first."""

    main: str
    languages: tuple[str, ...]

    @property
    def automatic(self) -> bool:
        """Whether the redactor can read every language of the text."""
        return bool(self.languages) and all(lang in AUTOMATIC for lang in self.languages)

    @property
    def mixed(self) -> bool:
        return len(self.languages) > 1


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    # ASCII letters are Latin and nothing else: count them at once, and look at each of the
    # other characters alone (most of an English or Spanish text never reaches the loop). The
    # count joins where the first ASCII letter stands, so that ties keep their order.
    first = _ASCII_LETTER.search(text)
    first_at = first.start() if first else len(text)
    pending = len(_ASCII_LETTER.findall(text, first_at))
    for m in _NON_ASCII.finditer(text):
        if pending and m.start() > first_at:
            counts["latin"] += pending
            pending = 0
        ch = m.group()
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            counts["hangul"] += 1
        elif 0x0E00 <= code <= 0x0E7F:
            counts["thai"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["kana"] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
            counts["han"] += 1
        elif ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"):
            counts["latin"] += 1
    if pending:
        counts["latin"] += pending
    return counts


def _chinese(text: str) -> str:
    simplified = sum(ch in _SIMPLIFIED for ch in text)
    traditional = sum(ch in _TRADITIONAL for ch in text)
    return "zh-hant" if traditional > simplified else "zh-hans"


def _latin(text: str) -> str | None:
    if _VIETNAMESE.search(text):
        return "vi"
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return None
    scores = {lang: sum(w in vocabulary for w in words) for lang, vocabulary in _WORDS.items()}
    best = max(scores.values())
    if best == 0:
        return None
    # A tie goes to the order of _WORDS (English first): the redactor then at least tries.
    return next(lang for lang, score in scores.items() if score == best)


def _part_language(part: str) -> tuple[str | None, int]:
    """Return the language of one short part of a text and how many letters decided it."""
    counts = _script_counts(part)
    if not counts:
        return None, 0
    script, n = counts.most_common(1)[0]
    if script == "hangul":
        return "ko", n
    if script == "thai":
        return "th", n
    if script == "kana" or (script == "han" and counts["kana"]):
        return "ja", n + counts["kana"]
    if script == "han":
        return _chinese(part), n
    return _latin(part), n


def detect(text: str) -> Detection:
    """Return the languages of `text` (UNKNOWN when nothing in it says: digits, names alone)."""
    weights: Counter[str] = Counter()
    for part in _SPLIT.split(text):
        if not part.strip():
            continue
        lang, n = _part_language(part)
        if lang is not None:
            weights[lang] += n
    if not weights:
        return Detection(UNKNOWN, ())
    # Chinese in both forms is one writer's Chinese: call it by the form most of it uses.
    if weights["zh-hant"] and weights["zh-hans"]:
        main_zh = _chinese(text)
        weights[main_zh] += weights.pop("zh-hant" if main_zh == "zh-hans" else "zh-hans")
    total = sum(weights.values())
    # A stray word in another language (a name, "OK") does not make a text mixed: at least a tenth.
    languages = tuple(lang for lang, n in weights.most_common() if n * 10 >= total)
    return Detection(languages[0], languages)


def name(code: str) -> str:
    """Return a language's English name for staff (the code itself if Harbor does not know it)."""
    return NAMES.get(code, code)
