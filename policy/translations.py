"""The packs' and phrases' reporter texts in the languages beyond English and Spanish.

English and Spanish are written inline in each data file, beside the text they render. The
other reporter languages have one file each, data/i18n/<lang>.toml, keyed by stable ids, so a
translator works in one readable file and a pack file stays readable too:

    [phrases]
    "status.applies" = "..."

    [packs."us-ca-sf-2018"]
    summary = "..."
    "protection.sf-da-no-prosecution.reporter" = "..."   # what the reporter reads
    "protection.sf-da-no-prosecution.notice" = "..."     # the notice line she previews
    "caveat.sf-felonies.reporter" = "..."

`keys()` lists every reporter-visible text with its English, `check()` every gap, stale key or
placeholder mismatch (its test keeps the shipped files complete), and `skeleton()` writes the
file a new language starts from (docs/translations.md).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Final

from ._data import DATA_DIR, TRANSLATED_LANGS, read_toml
from .errors import DataFileError
from .packs import Pack, Protection, Text

I18N_DIR: Final = DATA_DIR / "i18n"


@dataclass(frozen=True, slots=True)
class Translations:
    """Texts by language, then by key ("phrases.status.applies", "pack.<id>.summary")."""

    texts: Mapping[str, Mapping[str, str]]
    review: Mapping[str, str]

    def for_key(self, key: str) -> dict[str, str]:
        """Return {lang: text} for one key, in every language that has it."""
        return {lang: texts[key] for lang, texts in self.texts.items() if key in texts}


def load_translations(directory: Path | str = I18N_DIR) -> Translations:
    """Read data/i18n/<lang>.toml for each translated language (a missing file: nothing yet)."""
    directory = Path(directory)
    texts: dict[str, dict[str, str]] = {}
    review: dict[str, str] = {}
    for lang in TRANSLATED_LANGS:
        path = directory / f"{lang}.toml"
        texts[lang] = {}
        if path.exists():
            review[lang], texts[lang] = _language_file(path, lang)
    return Translations(texts, review)


def _language_file(path: Path, lang: str) -> tuple[str, dict[str, str]]:
    """One language's file: its review note and its texts by key (phrases.*, pack.<id>.*)."""
    data = read_toml(path)
    if data.get("schema") != 1:
        raise DataFileError(path, "schema", "must be 1")
    if data.get("language") != lang:
        raise DataFileError(path, "language", f"must be {lang!r}, as the file name says")
    if not isinstance(data.get("review"), str) or not data["review"].strip():
        raise DataFileError(path, "review", "say who drafted it and whether a fluent reader has reviewed it")
    unknown = set(data) - {"schema", "language", "review", "phrases", "packs"}
    if unknown:
        raise DataFileError(path, "", f"unknown key(s): {', '.join(sorted(unknown))}")
    texts = {f"phrases.{key}": value for key, value in _strings(path, "phrases", data.get("phrases", {})).items()}
    packs = data.get("packs", {})
    if not isinstance(packs, dict):
        raise DataFileError(path, "packs", "must be a table of packs")
    for pid, table in packs.items():
        for key, value in _strings(path, f"packs.{pid}", table).items():
            texts[f"pack.{pid}.{key}"] = value
    return data["review"], texts


def _strings(path: Path, where: str, table: object) -> dict[str, str]:
    if not isinstance(table, dict):
        raise DataFileError(path, where, "must be a table of texts")
    out = {}
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise DataFileError(path, f"{where}.{key}", "must be a non-empty string (quote a dotted key)")
        out[key] = value
    return out


@cache
def default_translations() -> Translations:
    """Return the translations shipped in policy/data/i18n (loaded once)."""
    return load_translations(I18N_DIR)


# --- applying ----------------------------------------------------------------------------------


def translate_pack(pack: Pack, tr: Translations) -> Pack:
    """Return the pack with every reporter text's translations added."""

    def t(key: str, text: Text | None) -> Text | None:
        if text is None:
            return None
        extra = tr.for_key(f"pack.{pack.id}.{key}")
        return text.with_translations(extra) if extra else text

    def required(key: str, text: Text) -> Text:
        extra = tr.for_key(f"pack.{pack.id}.{key}")
        return text.with_translations(extra) if extra else text

    return replace(
        pack,
        name=required("name", pack.name),
        summary=required("summary", pack.summary),
        offences=tuple(replace(o, name=required(f"offence.{o.id}.name", o.name)) for o in pack.offences),
        protections=tuple(
            replace(
                p,
                reporter=t(f"protection.{p.id}.reporter", p.reporter),
                partly_note=t(f"protection.{p.id}.partly_note", p.partly_note),
                conditions=tuple(
                    replace(c, reporter=t(f"protection.{p.id}.condition.{i}.reporter", c.reporter))
                    for i, c in enumerate(p.conditions, 1)
                ),
                staff_more=tuple(sorted(tr.for_key(f"pack.{pack.id}.protection.{p.id}.notice").items())),
            )
            for p in pack.protections
        ),
        caveats=tuple(replace(c, reporter=t(f"{c.kind}.{c.id}.reporter", c.reporter)) for c in pack.caveats),
    )


def translate_phrases(texts: Iterable[tuple[str, Text]], tr: Translations) -> tuple[tuple[str, Text], ...]:
    """Return (key, Text) phrases with their translations added."""
    out = []
    for key, text in texts:
        extra = tr.for_key(f"phrases.{key}")
        out.append((key, text.with_translations(extra) if extra else text))
    return tuple(out)


# --- checking ----------------------------------------------------------------------------------


def keys(packs: Iterable[Pack], phrases: Iterable[tuple[str, Text]]) -> dict[str, str]:
    """Return every reporter-visible text's key with its English, in file order.

    The notice line of a reporting protection counts: the reporter previews it in her language
    before she sends (its English is the staff line the referral carries).
    """
    out = {f"phrases.{key}": text.en for key, text in phrases}
    for pack in packs:
        out.update(_pack_keys(pack))
    return out


def _pack_keys(pack: Pack) -> dict[str, str]:
    pre = f"pack.{pack.id}."
    out = {pre + "name": pack.name.en, pre + "summary": pack.summary.en}
    for o in pack.offences:
        out[f"{pre}offence.{o.id}.name"] = o.name.en
    for p in pack.protections:
        out.update(_protection_keys(f"{pre}protection.{p.id}.", p))
    for c in pack.caveats:
        if c.reporter is not None:
            out[f"{pre}{c.kind}.{c.id}.reporter"] = c.reporter.en
    return out


def _protection_keys(pre: str, p: Protection) -> dict[str, str]:
    out = {}
    if p.reporter is not None:
        out[pre + "reporter"] = p.reporter.en
    if p.partly_note is not None:
        out[pre + "partly_note"] = p.partly_note.en
    for i, cond in enumerate(p.conditions, 1):
        if cond.reporter is not None:
            out[f"{pre}condition.{i}.reporter"] = cond.reporter.en
    if p.scope == "reporting":
        out[pre + "notice"] = p.staff
    return out


def placeholders(text: str) -> set[str]:
    """Return the {names} a text fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def check(packs: Iterable[Pack], phrases: Iterable[tuple[str, Text]], tr: Translations) -> list[str]:
    """Return every problem: a text missing in a language, a key nothing uses, a placeholder changed."""
    expected = keys(packs, phrases)
    problems = []
    for lang in TRANSLATED_LANGS:
        got = tr.texts.get(lang, {})
        problems += [f"{lang}: {key} is missing" for key in expected if key not in got]
        problems += [
            f"{lang}: {key} is not a reporter text of any pack or phrase" for key in got if key not in expected
        ]
        problems += [
            f"{lang}: {key} has placeholders {sorted(placeholders(got[key]))}, English {sorted(placeholders(english))}"
            for key, english in expected.items()
            if key in got and placeholders(got[key]) != placeholders(english)
        ]
    return problems


def skeleton(lang: str, packs: Iterable[Pack], phrases: Iterable[tuple[str, Text]], tr: Translations) -> str:
    """Return data/i18n/<lang>.toml as a translator starts it: each key, its English in a comment."""
    have = tr.texts.get(lang, {})
    lines = [
        f"# Harbor: the reporter's texts of the policy packs and phrases in {lang!r}.",
        "# Each English original is in the comment above its key (docs/translations.md).",
        "schema = 1",
        f'language = "{lang}"',
        'review = "drafted YYYY-MM by ...; needs review by a fluent reader from the community"',
    ]
    section = None
    for key, english in keys(packs, phrases).items():
        if key.startswith("phrases."):
            table, name = "[phrases]", key.removeprefix("phrases.")
        else:
            pid, _, name = key.removeprefix("pack.").partition(".")
            table = f'[packs."{pid}"]'
        if table != section:
            lines += ["", table]
            section = table
        lines.append("# " + english.replace("\n", " "))
        value = have.get(key, "")
        lines.append(f"{_toml_key(name)} = {_toml_string(value)}")
    return "\n".join(lines) + "\n"


def _toml_key(name: str) -> str:
    return name if name.replace("_", "").replace("-", "").isalnum() else _toml_string(name)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
