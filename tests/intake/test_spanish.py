"""The reporter's pages in Spanish: every string translated, the pages and their errors in Spanish.

The catalogue tests read locale/es/LC_MESSAGES/django.po with a small parser (no
gettext tools needed) and hold the reporter's side to one rule: no string a
reporter can see is left empty, fuzzy, stale or uncompiled. To add strings:

    HARBOR_ENV=development .venv/bin/python manage.py makemessages -l es \
        --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --ignore=bench
    (translate the new or fuzzy entries, remove each "#, fuzzy" once checked)
    HARBOR_ENV=development .venv/bin/python manage.py compilemessages --ignore=.venv
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize

from tests.conftest import FULL_REPORT, hidden, receipt_in
from tests.intake.conftest import field_error, page_text

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# Where the strings a reporter can see come from (the `#:` references of the catalogue).
REPORTER_SOURCES = ("templates/intake/", "templates/errors/", "intake/", "config/")


# --- a small .po parser -----------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    refs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)

    @property
    def reporter_side(self) -> bool:
        return any(ref.startswith(REPORTER_SOURCES) for ref in self.refs)


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


_KEYWORD_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def _read_comment(entry: Entry, line: str) -> None:
    """Keep the references and flags of a comment; other comments (obsolete `#~` entries too) are skipped."""
    if line.startswith("#:"):
        entry.refs += [ref.rsplit(":", 1)[0] for ref in line[2:].split()]
    elif line.startswith("#,"):
        entry.flags |= {flag.strip() for flag in line[2:].split(",")}


def _read_keyword(entry: Entry, match: re.Match[str]) -> tuple[str, int | None]:
    """Store a `msgid "..."`-style line; return the key that continuation lines extend."""
    name, index, value = match.group(1), match.group(2), _unquote(match.group(3))
    if index is not None:
        entry.msgstr_plural[int(index)] = value
        return ("plural", int(index))
    setattr(entry, name, value)
    return (name, None)


def _continue_string(entry: Entry, key: tuple[str, int | None], line: str) -> None:
    """Append a bare `"..."` continuation line to the string it continues."""
    value = _unquote(line)
    if key[0] == "plural":
        entry.msgstr_plural[key[1]] += value
    else:
        setattr(entry, key[0], getattr(entry, key[0]) + value)


def parse_po(path: Path) -> list[Entry]:
    """Parse a .po file into entries (obsolete `#~` entries are skipped)."""
    entries: list[Entry] = []
    entry, key = Entry(), None
    seen_id = False

    def flush():
        nonlocal entry, key, seen_id
        if seen_id:
            entries.append(entry)
        entry, key, seen_id = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        match = _KEYWORD_LINE.match(line)
        if not line:
            flush()
        elif line.startswith("#"):
            _read_comment(entry, line)
        elif match:
            key = _read_keyword(entry, match)
            seen_id = seen_id or key == ("msgid", None)
        elif line.startswith('"') and key:
            _continue_string(entry, key, line)
        else:
            raise AssertionError(f"unreadable line in {path.name}: {line!r}")
    flush()
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO.exists(), "locale/es/LC_MESSAGES/django.po is missing: run makemessages -l es"
    entries = parse_po(PO)
    assert entries and entries[0].msgid == "", "the catalogue has no header"
    return entries[1:]


@pytest.fixture(scope="module")
def reporter_entries(catalogue) -> list[Entry]:
    entries = [e for e in catalogue if e.reporter_side]
    assert len(entries) > 200, "the catalogue lost the reporter's strings"
    return entries


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# --- the catalogue --------------------------------------------------------------------------


def test_header_declares_spanish_plurals():
    header = parse_po(PO)[0].msgstr
    assert "Language: es\n" in header
    assert "Content-Type: text/plain; charset=UTF-8" in header
    # The same rule as Django's own Spanish catalogue, so merged catalogues agree.
    assert "Plural-Forms: nplurals=3;" in header
    assert "fuzzy" not in parse_po(PO)[0].flags


def test_no_reporter_string_is_untranslated_or_fuzzy(reporter_entries):
    missing = [e.msgid for e in reporter_entries if not e.translated]
    fuzzy = [e.msgid for e in reporter_entries if "fuzzy" in e.flags]
    assert not missing, f"reporter strings with no Spanish: {missing}"
    assert not fuzzy, f"reporter strings marked fuzzy (check them, then remove the flag): {fuzzy}"


def test_translations_keep_every_placeholder(catalogue):
    wrong = []
    for e in catalogue:
        if not e.translated:
            continue
        if e.msgid_plural is None:
            if _placeholders(e.msgstr) != _placeholders(e.msgid):
                wrong.append(e.msgid)
        else:
            expected = _placeholders(e.msgid_plural)
            if any(_placeholders(s) != expected for s in e.msgstr_plural.values()):
                wrong.append(e.msgid)
            if sorted(e.msgstr_plural) != [0, 1, 2]:
                wrong.append(e.msgid + " (needs msgstr[0], [1] and [2])")
    assert not wrong, f"placeholders differ between English and Spanish: {wrong}"


def test_reporter_words_are_consistent(reporter_entries):
    """One word for each thing a frightened reader must recognise from page to page."""
    problems = []
    for e in reporter_entries:
        english = (e.msgid_plural or e.msgid).lower()
        spanish = " ".join([e.msgstr, *e.msgstr_plural.values()]).lower()
        if "advocate" in english and "de apoyo" not in spanish:
            problems.append(("advocate → persona de apoyo", e.msgid))
        if "receipt" in english and "código" not in spanish:
            problems.append(("receipt → código de recibo", e.msgid))
        if "sex work" in english and "trabajo sexual" not in spanish:
            problems.append(("sex work → trabajo sexual", e.msgid))
        if re.search(r"\bdefensor|\btú\b|\btu\b|\bestás\b|\bpuedes\b", spanish):
            problems.append(("usted, and “persona de apoyo”, throughout", e.msgid))
    assert not problems, problems


def test_compiled_catalogue_matches_the_po_file(reporter_entries):
    """The committed .mo is compiled from the current .po (so `make run` needs no gettext tools)."""
    assert MO.exists(), "run compilemessages: locale/es/LC_MESSAGES/django.mo is missing"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in reporter_entries:
        if e.msgctxt is not None:
            continue
        if e.msgid_plural is None:
            if compiled.gettext(e.msgid) != e.msgstr:
                stale.append(e.msgid)
        elif compiled.ngettext(e.msgid, e.msgid_plural, 3) != e.msgstr_plural.get(2):
            stale.append(e.msgid)
    assert not stale, f"django.mo is older than django.po (run compilemessages): {stale}"


# --- every reporter string in the source is in the catalogue ---------------------------------

_GETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
_TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:u'(?:[^'\\]|\\.)*'(?:, )?)+)")


def _template_strings(path: Path) -> set[str]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = set()
    for name, args in _TEMPLATE_CALL.findall(code):
        literals = [ast.literal_eval(a) for a in re.findall(r"u('(?:[^'\\]|\\.)*')", args)]
        found.add(literals[1] if name.startswith("p") else literals[0])
    return found


def _python_strings(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in _GETTEXT_NAMES:
            continue
        arg = node.args[1] if name.startswith(("pgettext", "npgettext")) and len(node.args) > 1 else node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            found.add(arg.value)
    return found


def _reporter_source_strings() -> dict[str, str]:
    strings: dict[str, str] = {}
    for folder in ("templates/intake", "templates/errors"):
        for path in sorted((BASE / folder).glob("*.html")):
            strings.update({s: str(path.relative_to(BASE)) for s in _template_strings(path)})
    for folder in ("intake", "config"):
        for path in sorted((BASE / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            strings.update({s: str(path.relative_to(BASE)) for s in _python_strings(path)})
    return strings


def test_every_reporter_string_in_the_source_has_spanish(catalogue):
    """A string added to a reporter page after the last makemessages fails here, not in front of a reader."""
    source = _reporter_source_strings()
    assert len(source) > 200, "found too few strings: the extraction here is broken"
    known = {e.msgid: e for e in catalogue}
    missing = {
        s: where
        for s, where in source.items()
        if s not in known or not known[s].translated or "fuzzy" in known[s].flags
    }
    assert not missing, (
        "reporter strings without a checked Spanish translation; run makemessages -l es (see the module docstring), "
        f"translate them in locale/es/LC_MESSAGES/django.po, then compilemessages: {missing}"
    )


# --- the pages ------------------------------------------------------------------------------


def _english_left(text: str, reporter_entries) -> list[str]:
    """English reporter sentences (with a different Spanish) that appear in a page's text."""
    leaks = []
    for e in reporter_entries:
        for english, spanish in ((e.msgid, e.msgstr), (e.msgid_plural or "", e.msgstr_plural.get(2, ""))):
            if len(english) < 12 or english == spanish or "%(" in english or "<" in english:
                continue
            if english in text and spanish not in text:
                leaks.append(english)
    return leaks


@pytest.mark.django_db
def test_landing_is_in_spanish(client, reporter_entries):
    response = client.get("/es/")
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(response)
    assert '<html lang="es">' in html
    for sentence in (
        "Reportar violencia de forma segura",
        "No necesita dar su nombre.",
        "se quedan con las personas de apoyo. Nunca se comparten.",
        "se comparte solo después de que una persona de apoyo lo haya leído y haya decidido incluirlo.",
        "recibe un código de recibo: un código para anotar.",
        "Empezar un reporte",
        "Ver mi reporte",
        "Si está en peligro ahora mismo, llame al 911 si es seguro para usted.",
        "Salir rápido",
    ):
        assert sentence in text, sentence
    assert 'hreflang="en"' in html and ">English<" in html
    assert not _english_left(text, reporter_entries)


@pytest.mark.django_db
def test_report_form_is_in_spanish(client, reporter_entries):
    response = client.get("/es/report/")
    assert response.status_code == 200
    text = page_text(response)
    for sentence in (
        "Conteste solo lo que quiera.",
        "¿Qué pasó? Marque todo lo que corresponda.",
        "Agresión sexual o violación",
        "Trata de personas",
        "¿Le pasó a usted, o usted lo vio?",
        "¿Está a salvo ahora?",
        "Contexto — se queda con las personas de apoyo, nunca se comparte",
        "No tengo papeles",
        "¿Con quién pueden compartir esto las personas de apoyo?",
        "Solo registrarlo. No compartirlo con nadie.",
        "Continuar: revisar antes de enviar",
    ):
        assert sentence in text, sentence
    assert not _english_left(text, reporter_entries)


@pytest.mark.django_db
def test_check_and_rights_pages_are_in_spanish(client, reporter_entries):
    check = client.get("/es/check/")
    assert check.status_code == 200
    text = page_text(check)
    for sentence in ("Ver mi reporte", "Su código de recibo", "20 letras y números.", "Abrir mi reporte"):
        assert sentence in text, sentence
    assert not _english_left(text, reporter_entries)

    rights = client.get("/es/rights/")
    assert rights.status_code == 200
    text = page_text(rights)
    assert "Conozca sus derechos" in text
    assert "Esto es información, no asesoría legal, y las reglas cambian." in text
    assert not _english_left(text, reporter_entries)


@pytest.mark.django_db
def test_an_empty_form_is_answered_in_spanish(client, reporter_entries):
    form = client.get("/es/report/")
    response = client.submit("/es/report/", {"started": hidden(form, "started"), "action": "preview"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Hay que revisar algunas respuestas. Todo lo que escribió sigue aquí" in text
    assert (
        field_error(response, "crime_types")
        == "Por favor, marque al menos una cosa que pasó, para saber cómo ayudarle."
    )
    assert field_error(response, "role") == "Por favor, díganos si le pasó a usted o si usted lo vio."
    assert "Please" not in text
    assert not _english_left(text, reporter_entries)


@pytest.mark.django_db
def test_field_errors_are_in_spanish(client):
    form = client.get("/es/report/")
    data = {
        "started": hidden(form, "started"),
        "action": "preview",
        "crime_types": ["robbery"],
        "role": "victim",
        "incident_date": "2999-01-01",
        "contact_method": "email",
        "consent": ["record_only", "victim_services"],
    }
    response = client.submit("/es/report/", data)
    assert response.status_code == 400
    assert "Esa fecha todavía no llega." in field_error(response, "incident_date")
    assert "para que podamos contactarle" in field_error(response, "contact_email")
    assert "Usted eligió “Solo registrarlo”" in field_error(response, "consent")


@pytest.mark.django_db
def test_a_report_sent_in_spanish_stays_in_spanish(client, org_keys, reporter_entries):
    form = client.get("/es/report/")
    preview = client.submit("/es/report/", {**FULL_REPORT, "started": hidden(form, "started"), "action": "preview"})
    assert preview.status_code == 200, page_text(preview)[:2000]
    text = page_text(preview)
    assert "Revise antes de enviar" in text
    assert "Lo que verán las personas de apoyo" in text
    assert "Servicios para víctimas" in text
    assert "Robo (le quitaron algo con fuerza o con amenazas)" in text
    assert "Sus protecciones" in text
    assert not _english_left(text, reporter_entries)

    sent = client.submit("/es/report/send/", {"draft": hidden(preview, "draft")})
    assert sent.status_code == 200
    text = page_text(sent)
    assert "Su reporte fue enviado" in text
    assert "Anote este código de recibo ahora." in text
    assert "Ya lo anoté" in text
    receipt = receipt_in(sent)

    opened = client.submit("/es/check/", {"receipt": receipt.lower()})
    assert opened.status_code == 200
    text = page_text(opened)
    assert "Estado: Recibido. Una persona de apoyo lo leerá pronto." in text
    assert "Todavía no hay mensajes." in text
    assert "Borrar mi reporte" in text
    assert not _english_left(text, reporter_entries)


@pytest.mark.django_db
def test_a_wrong_receipt_is_answered_in_spanish(client, org_keys):
    response = client.submit("/es/check/", {"receipt": "AAAA-BBBB-CCCC-DDDD-EEEE"})
    assert response.status_code == 400
    error = field_error(response, "receipt")
    assert error.startswith(("No pudimos abrir ningún reporte", "Ese código de recibo está incompleto")), error


@pytest.mark.django_db
def test_not_found_is_in_spanish(client):
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    text = page_text(response)
    assert "Aquí no hay nada" in text
    assert "Volver al inicio" in text
