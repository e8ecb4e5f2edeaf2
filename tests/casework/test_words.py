"""Staff read words, not codes: no catalogue, status, rule or audit code is visible on any staff page.

A full report goes through every staff page — queue, report, referral choice, build, follow-up,
safety alerts, statistics, the recipient's inbox, copy and print view, accounts, the audit log,
the refusals — in English and in Spanish (the browser's language decides on /staff/ pages).
Each page's visible text (what is between the tags, and the alt, title, aria-label and
placeholder a reader meets) must hold none of the codes.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from audit.models import Event
from casework import presenters
from intake import choices
from intake.models import Report
from intake.services import append_message, open_with_receipt
from referrals.models import Referral
from referrals.presenters import RULE_SENTENCES
from tests.conftest import FULL_REPORT, CsrfClient, submit_report

pytestmark = pytest.mark.django_db

CHOICE_LISTS = [
    value
    for name, value in vars(choices).items()
    if name.isupper() and isinstance(value, list) and all(isinstance(item, tuple) for item in value)
]


def catalogue_codes() -> set[str]:
    """Codes no reader would write: every choice code with an underscore, every status code with one."""
    codes = {code for options in CHOICE_LISTS for code, _label in options if isinstance(code, str) and "_" in code}
    codes |= {code for code in Report.Status.values if "_" in code}
    codes |= {code for code in Referral.Status.values if "_" in code}
    codes |= {"may_apply", "does_not_apply", "not_in_force"}  # policy.assess.Status
    codes |= set(RULE_SENTENCES)
    return codes


class _Visible(HTMLParser):
    """The text a reader meets: text outside <script> and <style>, and the attributes read aloud or shown."""

    SHOWN_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attributes = dict(attrs)
        self.parts += [attributes[name] or "" for name in self.SHOWN_ATTRIBUTES if name in attributes]
        if tag == "input" and (attributes.get("type") or "") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(response) -> str:
    reader = _Visible()
    reader.feed(response.content.decode())
    return " ".join(" ".join(reader.parts).split())


def codes_in(text: str, codes: set[str]) -> list[str]:
    return sorted(code for code in codes if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w])", text))


@pytest.fixture
def world(staff, logged_in):
    """A full report, answered and referred twice, with a recipient, an admin and an auditor who acted on it."""
    data = dict(FULL_REPORT, consent=["victim_services", "peer_alert"], perp_relationship="manager_or_third_party")
    receipt, _ = submit_report(CsrfClient(), data)
    report = Report.objects.get()
    opened = open_with_receipt(receipt)
    append_message(report, opened.dek, "reporter", "Please call after noon.")
    org = staff["organisation"]

    advocate = logged_in("advocate")
    assert advocate.submit(f"/staff/reports/{report.id}/status/", {"status": "in_review"}).status_code == 302
    sent = advocate.submit(f"/staff/reports/{report.id}/refer/{org.pk}/", {"action": "send"})
    assert sent.status_code == 302
    referral = Referral.objects.get(profile="victim_services")
    published = advocate.submit(f"/staff/reports/{report.id}/refer/alert/", {"action": "send"})
    assert published.status_code == 302
    recipient = logged_in("recipient")
    assert recipient.get(f"/staff/inbox/{referral.id}/").status_code == 200
    status = {"action": "status", "status": "services_provided"}
    assert recipient.submit(f"/staff/inbox/{referral.id}/", status).status_code == 302
    admin = logged_in("admin")
    assert admin.submit("/staff/retention/", {"in_review": "30", "waiting": "60"}).status_code == 302
    return {"report": report, "referral": referral, "org": org}


def staff_pages(world, logged_in) -> list[tuple[str, str, int]]:
    report, referral, org = world["report"], world["referral"], world["org"]
    alert = Referral.objects.get(profile="peer_alert")
    return [
        ("advocate", "/staff/reports/", 200),
        ("advocate", f"/staff/reports/{report.id}/", 200),
        ("advocate", f"/staff/reports/{report.id}/refer/", 200),
        ("advocate", f"/staff/reports/{report.id}/refer/{org.pk}/", 200),
        ("advocate", f"/staff/referrals/{referral.id}/", 200),
        ("advocate", f"/staff/referrals/{alert.id}/", 200),
        ("advocate", "/staff/alerts/", 200),
        ("advocate", "/staff/stats/", 200),
        ("advocate", f"/staff/reports/{'0' * 32}/", 404),
        ("recipient", "/staff/inbox/", 200),
        ("recipient", f"/staff/inbox/{referral.id}/", 200),
        ("recipient", f"/staff/inbox/{referral.id}/print/", 200),
        ("recipient", "/staff/reports/", 403),
        ("admin", "/staff/accounts/", 200),
        ("admin", "/staff/stats/", 200),
        ("auditor", "/staff/audit/", 200),
        ("auditor", "/staff/stats/", 200),
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_code_is_visible_on_any_staff_page(world, logged_in, language):
    actions = set(presenters.AUDIT_ACTIONS) | set(Event.objects.values_list("action", flat=True))
    codes = catalogue_codes() | {action for action in actions if "." in action}  # not "login": a word too
    assert {"physical_assault", "victim_services", "in_review", "record_only", "report.viewed"} <= codes
    found = {}
    for who, path, status in staff_pages(world, logged_in):
        response = logged_in(who).get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == status, (who, path)
        assert f'<html lang="{language}">' in response.content.decode(), path
        if leaked := codes_in(visible_text(response), codes):
            found[path] = leaked
    assert not found, f"codes on staff pages ({language}): {found}"


def test_the_words_are_spanish_for_a_spanish_browser(world, logged_in):
    report = world["report"]
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}
    queue = visible_text(logged_in("advocate").get("/staff/reports/", **spanish))
    assert "Robo (le quitaron algo con fuerza o con amenazas)" in queue
    assert "Mensaje sin responder" in queue
    assert re.search(r"hoy, \d{1,2}–\d{1,2} h", queue), queue
    page = visible_text(logged_in("advocate").get(f"/staff/reports/{report.id}/", **spanish))
    assert "Consentimiento: quién puede verlo" in page and "En revisión" in page
    audit = visible_text(logged_in("auditor").get("/staff/audit/", **spanish))
    assert "abrió un reporte" in audit and "cambió el estado de un reporte a “En revisión”" in audit
    assert "En revisión: 30 días" in audit
    refused = visible_text(logged_in("recipient").get("/staff/reports/", **spanish))
    assert "Su rol no puede abrir esta página" in refused


def test_the_audit_log_reads_as_what_people_did(world, logged_in):
    html = visible_text(logged_in("auditor").get("/staff/audit/"))
    for sentence in (
        "opened a report",
        "set a report's status to “In review”",
        "sent a referral",
        "sent a safety alert to a second advocate for review",
        "marked a referral “Services provided”",
        "changed how long reports are kept",
        "In review: 30 days",
    ):
        assert sentence in html, sentence


# --- every audit action the code can record has words ------------------------------------------

SOURCES = ("audit", "casework", "config", "intake", "periodic", "referrals", "vault")
ACTION = re.compile(r"^(?:[a-z]+(?:\.[a-z_]+){1,2}|login|logout)$")
# Actions built at run time, with every value the code can put in them.
BUILT = {
    "report.status.": Report.Status.values,
    "referral.status.": list(Referral.RECIPIENT_STATUSES),
    "referral.": ["revoked", "withdrawn", "retracted"],  # a reporter's consent change (referrals.services)
}
# Where an action is written: record(actor, ACTION, ...), the chain's own _append, shred(report, actor,
# ACTION), and parameters named audit_action or action that carry one to record().
CALLS = {"record": 1, "_append": 1, "shred": 2}
PARAMETERS = {"audit_action", "action"}


def _candidates(node: ast.AST):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield "literal", node.value
    elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        yield "built", str(node.values[0].value)
    elif isinstance(node, ast.IfExp):
        yield from _candidates(node.body)
        yield from _candidates(node.orelse)


def _action_values(node: ast.AST) -> list[ast.AST]:
    """The expressions that may carry an action: call arguments and parameter defaults."""
    values: list[ast.AST] = []
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in CALLS and len(node.args) > CALLS[name]:
            values.append(node.args[CALLS[name]])
        values += [k.value for k in node.keywords if k.arg in PARAMETERS]
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        arguments = node.args.args + node.args.kwonlyargs
        defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + node.args.defaults
        defaults += node.args.kw_defaults
        values += [d for a, d in zip(arguments, defaults, strict=True) if d is not None and a.arg in PARAMETERS]
    return values


def _actions_in_the_source() -> tuple[set[str], set[str]]:
    found: dict[str, set[str]] = {"literal": set(), "built": set()}
    for app in SOURCES:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                for value in _action_values(node):
                    for kind, text in _candidates(value):
                        if kind == "built" or ACTION.match(text):
                            found[kind].add(text)
    return found["literal"], found["built"]


def test_every_audit_action_the_code_records_has_words():
    literal, built = _actions_in_the_source()
    assert {"report.viewed", "login", "key.rotated", "referral.erased"} <= literal, "the source scan found too little"
    assert set(BUILT) == built, "an action is built at run time in a new way: add it to BUILT"
    actions = literal | {head + value for head, values in BUILT.items() for value in values}
    missing = sorted(action for action in actions if presenters.audit_action(action) == action)
    assert not missing, f"audit actions with no words in casework.presenters.AUDIT_ACTIONS: {missing}"
