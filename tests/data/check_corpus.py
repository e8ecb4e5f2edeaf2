"""Consistency check for the redaction evaluation corpus (not a test of the redactor).

    python tests/data/check_corpus.py            # checks both files next to this script

Checks: valid JSON Lines, the six keys, unique ids (across both files) in the form
<split>-<lang>-NNN, known lang and kind, no duplicate texts, every must_go / must_stay phrase
an exact substring occurring exactly once, no must_stay overlapping a must_go, clean items with
an empty must_go and a non-empty must_stay, other items with both lists non-empty.
Prints counts per file, language and kind. Exit status 1 on any error.
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

KINDS = (
    "victim_working",
    "euphemism",
    "negation",
    "witness",
    "third_party",
    "robbery_earnings",
    "trafficking",
    "police_perpetrator",
    "drugs_first_vs_third",
    "immigration",
    "pii",
    "clean",
    "mixed_language",
    "messy",
)
HERE = Path(__file__).resolve().parent
FILES = [
    HERE / "narratives-dev.jsonl",
    HERE / "narratives-heldout.jsonl",
    HERE / "narratives-fresh.jsonl",
    HERE / "narratives-blind.jsonl",
    HERE / "narratives-final.jsonl",
]


def spans(text, phrase):
    out, i = [], text.find(phrase)
    while i != -1:
        out.append((i, i + len(phrase)))
        i = text.find(phrase, i + 1)
    return out


ITEM_KEYS = {"id", "lang", "kind", "text", "must_go", "must_stay"}
ID_FORM = re.compile(r"(dev|heldout|fresh|blind|final)-(en|es)-\d{3}")


def phrase_errors(rid, text, name, phrases):
    """A must_go or must_stay list: no repeats, each phrase unpadded and in the text exactly once."""
    if not isinstance(phrases, list) or len(set(phrases)) != len(phrases):
        return [f"{rid}: {name} must be a list without repeats"]
    errors = []
    for p in phrases:
        k = len(spans(text, p))
        if not p.strip() or p != p.strip():
            errors.append(f"{rid}: {name} phrase {p!r} is empty or padded")
        elif k == 0:
            errors.append(f"{rid}: {name} phrase not in text: {p!r}")
        elif k > 1:
            errors.append(f"{rid}: {name} phrase occurs {k} times: {p!r}")
    return errors


def overlap_errors(rid, text, go, stay):
    """No must_stay phrase overlaps a must_go phrase."""
    return [
        f"{rid}: must_stay {s!r} overlaps must_go {g!r}"
        for s in stay
        for g in go
        if any(a < d and c < b for a, b in spans(text, s) for c, d in spans(text, g))
    ]


def item_errors(r, where, ids, texts):
    """Every problem with one item of the six keys; records its id and text for the checks across items."""
    rid, text, go, stay = r["id"], r["text"], r["must_go"], r["must_stay"]
    errors = []
    if rid in ids:
        errors.append(f"{where}: duplicate id {rid}")
    ids.add(rid)
    m = ID_FORM.fullmatch(rid)
    if not m or m.group(2) != r["lang"]:
        errors.append(f"{where}: id {rid} does not match lang {r['lang']}")
    if r["kind"] not in KINDS:
        errors.append(f"{rid}: unknown kind {r['kind']}")
    if text in texts:
        errors.append(f"{rid}: same text as {texts[text]}")
    texts[text] = rid
    errors += phrase_errors(rid, text, "must_go", go)
    errors += phrase_errors(rid, text, "must_stay", stay)
    if r["kind"] == "clean" and (go or not stay):
        errors.append(f"{rid}: clean needs empty must_go and some must_stay")
    if r["kind"] != "clean" and (not go or not stay):
        errors.append(f"{rid}: needs both must_go and must_stay")
    return errors + overlap_errors(rid, text, go, stay)


def check_file(path, ids, texts, errors):
    """Check one file's lines, adding to ``errors``; return its item count and counts per (lang, kind)."""
    n, per = 0, Counter()
    for ln, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{ln}"
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: invalid JSON ({e})")
            continue
        n += 1
        if set(r) != ITEM_KEYS:
            errors.append(f"{where}: keys {sorted(r)}")
            continue
        errors += item_errors(r, where, ids, texts)
        per[(r["lang"], r["kind"])] += 1
    return n, per


def print_counts(path, n, per):
    langs = Counter(lang for lang, _ in per.elements())
    print(f"{path.name}: {n} items, en={langs['en']} es={langs['es']}")
    for kind in KINDS:
        en, es = per[("en", kind)], per[("es", kind)]
        print(f"  {kind:22s} en={en:3d} es={es:3d} total={en + es:3d} ({100 * (en + es) / n:.1f}%)")


def check(paths):
    errors, ids, texts = [], set(), {}
    for path in paths:
        n, per = check_file(path, ids, texts, errors)
        print_counts(path, n, per)
    for e in errors:
        print("ERROR", e)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return not errors


if __name__ == "__main__":
    sys.exit(0 if check([Path(a) for a in sys.argv[1:]] or FILES) else 1)
