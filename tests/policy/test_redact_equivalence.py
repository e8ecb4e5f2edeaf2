"""The redactor's output, span for span, against a golden file made from an earlier version.

Rewriting the redactor for clarity or speed must not change what it removes. Every narrative
of every corpus in tests/data, as written, lower-cased, upper-cased and without punctuation, is
redacted with each lexicon ("en", "es") through ``find_spans``, and with every lexicon ("mul")
through ``policy.freetext.redact_free_text``, the path a referral takes: its spans, runs,
redacted text and review flags. A short hash of each result is compared with
``tests/data/redact-golden.json.gz``; for a sample of development narratives the golden file
holds the spans themselves, so that a difference there is shown.

The golden file holds hashes of offsets only, no text. Nothing here measures the redactor:
no leak or keep figure of any set is computed, printed or asserted, and for a blind set a
difference names only the item's id (tests/data/README.md).

When a lexicon changes on purpose, the output changes with it, and the golden file is made
again from the new version: ``python -m tests.policy.test_redact_equivalence --write``, in the
same commit as the change, which says why.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from policy.freetext import redact_free_text
from policy.redact import find_spans

DATA = Path(__file__).resolve().parent.parent / "data"
GOLDEN = DATA / "redact-golden.json.gz"
#: Corpora whose texts may be shown when they differ: the development sets.
READABLE = ("narratives-dev.jsonl", "narratives-heldout.jsonl", "narratives-fresh.jsonl", "narratives-blind.jsonl")
#: Development narratives whose full results the golden file keeps (the first of each file).
SAMPLE_PER_FILE = 12
#: The reporter's own identifiers, given with every text through the production path.
KNOWN = ("Maria Lopez", "415-555-0199", "rosie.v99@example.com", "@jade_blue")
VARIANTS = ("as_written", "lower", "upper", "no_punctuation")
LANGS = ("en", "es", "mul")


def _no_punctuation(text: str) -> str:
    return "".join(c for c in text if not unicodedata.category(c).startswith("P"))


def _variant(text: str, variant: str) -> str:
    if variant == "lower":
        return text.lower()
    if variant == "upper":
        return text.upper()
    if variant == "no_punctuation":
        return _no_punctuation(text)
    return text


def _items() -> Iterator[tuple[str, str, str]]:
    """(file name, id, text) of every narrative of every corpus in tests/data."""
    for path in sorted(DATA.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    record = json.loads(line)
                    yield path.name, record["id"], record["text"]


def _result(text: str, lang: str) -> list:
    """What the redactor gives for ``text``: spans, and for "mul" the whole production result."""
    if lang != "mul":
        return [[s.start, s.end, s.tag] for s in find_spans(text, lang)]
    out = []
    for known in ((), KNOWN):
        r = redact_free_text(text, known=known)
        out.append(
            {
                "spans": [[s.start, s.end, s.tag] for s in r.spans],
                "runs": [list(run) for run in r.runs],
                "flags": [[f.start, f.end, f.reason] for f in r.flags],
                "text_sha": hashlib.sha256(r.text.encode("utf-8", "surrogatepass")).hexdigest()[:16],
            }
        )
    # perp_phone keeps the perpetrator's number as its own content.
    r = redact_free_text(text, keep=frozenset({"contact"}))
    out.append({"keep_contact_spans": [[s.start, s.end, s.tag] for s in r.spans]})
    return out


def _digest(result: list) -> str:
    return hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()[:12]


def compute() -> dict:
    """The golden data for the redactor as it is now."""
    hashes: dict[str, str] = {}
    sample: dict[str, list] = {}
    seen_per_file: dict[str, int] = {}
    for name, item_id, text in _items():
        keep_full = name in READABLE and seen_per_file.get(name, 0) < SAMPLE_PER_FILE
        seen_per_file[name] = seen_per_file.get(name, 0) + 1
        for variant in VARIANTS:
            source = _variant(text, variant)
            for lang in LANGS:
                key = f"{item_id}/{variant}/{lang}"
                result = _result(source, lang)
                hashes[key] = _digest(result)
                if keep_full:
                    sample[key] = result
    return {"hashes": hashes, "sample": sample}


def _load() -> dict:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        return json.load(f)


def test_every_corpus_text_gives_the_golden_spans():
    golden = _load()
    now = compute()
    assert now["hashes"].keys() == golden["hashes"].keys(), "the corpora changed: make the golden file again"
    differ = sorted(k for k, h in now["hashes"].items() if golden["hashes"][k] != h)
    shown = []
    for key in differ[:5]:
        if key in golden["sample"]:
            shown.append(f"{key}\n  golden: {golden['sample'][key]}\n  now:    {now['sample'][key]}")
    assert not differ, f"{len(differ)} results differ from the golden file: {differ[:40]}\n" + "\n".join(shown)


def test_the_sample_matches_its_hashes():
    # The readable sample is what the hashes were made from: neither can drift alone.
    golden = _load()
    assert golden["sample"]
    for key, result in golden["sample"].items():
        assert _digest(result) == golden["hashes"][key], key


def _write() -> None:
    data = compute()
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    # No time in the gzip header: the same output makes the same file.
    with GOLDEN.open("wb") as f, gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0) as z:
        z.write(raw)
    print(f"wrote {GOLDEN} ({len(data['hashes'])} results, {len(data['sample'])} in full)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.policy.test_redact_equivalence --write")
    _write()
