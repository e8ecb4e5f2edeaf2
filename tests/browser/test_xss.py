"""Hostile markup typed by a reporter, an advocate or a recipient stays text, in real Chromium.

Every free-text field of the report form carries a cross-site-scripting payload (the narrative
carries all of them), and so do the reporter's follow-up message and added details, the
advocate's reply and internal note, the advocate's message to the recipient and the recipient's
reply. The report goes in through the real form; staff read it in Chromium after the real login
(password, then TOTP): the queue, the report, the referral as it is built, sent and followed, the
recipient's inbox, the referral received and its printable view; and the reporter reads the
advocate's reply with the receipt. The choice fields cannot carry a payload through the form (it
refuses any value but its own), so a second test stores one in each of them, and in the date and
time, through the service behind the form, as a bug or a future import might, and reads that too.

On every page: no dialog opened, ``window.__xss`` was never set, and no element, attribute or URL
the payloads would create exists in the DOM (an element marked ``data-xss``, an event-handler or
style attribute, an inline script, a style, frame, object, embed or base element, a meta refresh,
a ``javascript:`` URL; Harbor's own pages have none of these). And each payload is shown
literally, where the page shows that value. What the policy removes from a referral before it is
sent is not looked for; what arrives is (the test decrypts the referral to know what arrived).

Each test runs twice: with the Content Security Policy enforced, as served (the conftest fails a
test on any CSP violation report, so markup that escaped escaping would fail it even when the CSP
blocked it), and with the CSP bypassed, so that escaping alone is shown to hold: a payload that
reached the DOM would run there.
"""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django import forms
from playwright.sync_api import expect

from intake import policy_bridge
from intake.fields import TextField
from intake.forms import ReportForm
from intake.models import Report
from intake.services import Draft, open_with_receipt, submit
from referrals import policy_bridge as referrals_bridge
from referrals import services as referral_services
from referrals.models import Referral
from tests.browser import test_dashboard
from tests.browser.conftest import DESKTOP, PHONE, _site
from tests.browser.flows import heading, sample_report
from tests.browser.flows import open_with_receipt as open_in_browser
from tests.browser.test_dashboard import ORGANISATION, choose_recipient, log_in
from tests.casework.conftest import PASSWORD
from tests.conftest import CsrfClient, fill_and_preview, hidden, submit_report
from tests.intake.conftest import field_error
from vault import referrals as vault_referrals
from vault.custody import open_grant, unlock_staff_key

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import Site

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# One account per role, keys granted (tests/browser/test_dashboard.py).
team = test_dashboard.team

# ``MARK`` becomes a name unique to the field, so a failure says which value got through.
PAYLOADS = [
    '<script data-xss="MARK">window.__xss=1;alert("MARK")</script>',
    '<img src=x data-xss="MARK" onerror="window.__xss=1;alert(\'MARK\')">',
    '<svg data-xss="MARK" onload="window.__xss=1;alert(\'MARK\')"><circle r="9"></circle></svg>',
    '"\'><img src=x data-xss="MARK" onerror="window.__xss=1;alert(\'MARK\')">',
    "' autofocus onfocus='window.__xss=1;alert(1)' data-xss='MARK",
    "javascript:window.__xss=1;alert('MARK')",
    '<a href="javascript:window.__xss=1;alert(\'MARK\')" data-xss="MARK">MARK: open me</a>',
    "{{ 7|add:35 }} {% debug %} {{ request.user.password }} ${7*6} #{7*6} <%= 7*6 %> MARK",
    '</textarea></dd></section><img src=x data-xss="MARK" onerror="window.__xss=1;alert(\'MARK\')">',
    '<style data-xss="MARK">body{display:none}</style><div data-xss="MARK" style="position:fixed;inset:0;background:red">MARK</div>',
    '\u202eMARK gnp.exe\u202c and <b data-xss="MARK">bold</b>',
    '<iframe data-xss="MARK" srcdoc="<script>parent.__xss=1;parent.alert(1)</script>"></iframe>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'MARK\')" data-xss="MARK">',
    "<!-- MARK: what follows must still be shown",
    '<base href="http://evil.example/" data-xss="MARK"><form data-xss="MARK" action="javascript:alert(1)"><button>MARK</button></form>',
    '<math><mtext><table><mglyph><style><img src=x data-xss="MARK" onerror="window.__xss=1">',
    '<details open data-xss="MARK" ontoggle="window.__xss=1;alert(\'MARK\')">MARK</details>',
    "&lt;script&gt;alert('MARK')&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62; %3Cscript%3E",
    '<svg><a xlink:href="javascript:alert(\'MARK\')" data-xss="MARK"><text y="20">MARK</text></a></svg>',
    '<input autofocus data-xss="MARK" onfocus="window.__xss=1;alert(\'MARK\')">',
    '<object data="javascript:alert(\'MARK\')" data-xss="MARK"></object><embed src="javascript:alert(1)" data-xss="MARK">',
]
# The form checks the address, and a quoted local part takes markup but no spaces.
EMAIL_PAYLOAD = '"<svg/onload=window.__xss=1;alert(1)//data-xss=MARK>"@example.org'

TEXT_FIELDS = [name for name, field in ReportForm.base_fields.items() if isinstance(field, TextField)]
CHOICE_FIELDS = [
    name
    for name, field in ReportForm.base_fields.items()
    if isinstance(field, forms.ChoiceField) and name != "keep_photos"  # keep_photos is not report data
]


def _mark(payload: str, mark: str) -> str:
    return payload.replace("MARK", mark)


def hostile_text_report() -> dict:
    """A report from the form with a payload in every free-text field, all of them in the narrative."""
    data = dict(
        sample_report(),
        consent=["victim_services"],
        consent_share_contact="yes",  # the contact fields go in the referral too
        contact_method="email",
    )
    payloads = itertools.cycle(PAYLOADS)
    for name in TEXT_FIELDS:
        if name == "narrative":
            data[name] = "\n".join(_mark(p, f"narrative-{i}") for i, p in enumerate(PAYLOADS))
        elif name == "contact_email":
            data[name] = _mark(EMAIL_PAYLOAD, name)
        else:
            data[name] = _mark(next(payloads), name)
    return data


def hostile_choices() -> dict:
    """A payload in every choice field of the form, and in the date and the time."""
    data: dict = {}
    payloads = itertools.cycle(PAYLOADS)
    for name in [*CHOICE_FIELDS, "incident_date", "incident_time"]:
        field = ReportForm.base_fields[name]
        if name == "consent":
            data[name] = ["victim_services", _mark(next(payloads), name)]
        elif isinstance(field, forms.MultipleChoiceField):
            data[name] = [_mark(next(payloads), f"{name}-1"), _mark(next(payloads), f"{name}-2")]
        else:
            data[name] = _mark(next(payloads), name)
    return data


def values_of(data: dict) -> list[str]:
    return [v for value in data.values() for v in (value if isinstance(value, list) else [value])]


REPORTER_MESSAGE = _mark(PAYLOADS[1], "reporter-message")
REPORTER_DETAILS = _mark(PAYLOADS[8], "reporter-details")
ADVOCATE_REPLY = _mark(PAYLOADS[2], "advocate-reply") + "\n" + _mark(PAYLOADS[7], "advocate-reply-2")
ADVOCATE_NOTE = _mark(PAYLOADS[9], "advocate-note") + "\n" + _mark(PAYLOADS[10], "advocate-note-2")
TO_RECIPIENT = _mark(PAYLOADS[3], "to-recipient") + "\n" + _mark(PAYLOADS[16], "to-recipient-2")
RECIPIENT_REPLY = _mark(PAYLOADS[0], "recipient-reply") + "\n" + _mark(PAYLOADS[13], "recipient-reply-2")

MESSAGE_LABEL = re.compile(r"\bMessage\b")  # crispy adds an asterisk to a required field's label
MARKUP = re.compile(r"<(?:script|img|svg|iframe|style|meta|base|form|input|object|embed|details|math|a)\b")

# Everything a payload could have left in the DOM. Harbor's own pages have none of it.
SCAN = """() => {
  const found = [];
  const say = (el, why) => found.push(why + ": " + el.outerHTML.slice(0, 160));
  const urls = new Set(["href", "xlink:href", "src", "action", "formaction", "data", "srcdoc"]);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    if (el.hasAttribute("data-xss")) say(el, "marked element");
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) say(el, "event handler " + attr.name);
      if (attr.name === "style") say(el, "style attribute");
      if (urls.has(attr.name) && /^\\s*javascript:/i.test(attr.value)) say(el, "javascript: URL");
    }
    if (tag === "script" && !el.src) say(el, "inline script");
    if (["style", "iframe", "frame", "object", "embed", "base"].includes(tag)) say(el, tag + " element");
    if (tag === "meta" && el.httpEquiv) say(el, "meta http-equiv");
  }
  return found;
}"""


UNISOLATED_OVERRIDES = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.data.includes("\\u202e") && !node.parentElement.closest("bdi, textarea")) found.push(node.data.slice(0, 80));
  }
  return found;
}"""


class Watch:
    """Watches one browser context's page for anything a payload did."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.dialogs: list[str] = []
        self.checked: list[str] = []
        site.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    @property
    def page(self) -> Page:
        return self.site.page

    def check(self, where: str, shown: list[str] | tuple[str, ...] = (), *, isolated: bool = True) -> None:
        """Assert that nothing ran or was injected on the page, and that each of ``shown`` reads literally.

        ``isolated``: every right-to-left override typed by someone sits in a ``<bdi>``, so it cannot
        turn the words around it (the printable view has none: each value is its own block there).
        """
        page = self.page
        page.wait_for_load_state("load")
        assert not self.dialogs, f"{where}: a payload opened a dialog: {self.dialogs}"
        assert page.evaluate("() => window.__xss") is None, f"{where}: a payload ran"
        injected = page.evaluate(SCAN)
        assert not injected, f"{where}: markup got into the page:\n" + "\n".join(injected)
        text = page.locator("body").text_content() or ""
        missing = [value for value in shown if value not in text]
        assert not missing, f"{where}: not shown literally: {missing}"
        if isolated:
            loose = page.evaluate(UNISOLATED_OVERRIDES)
            assert not loose, f"{where}: a right-to-left override outside <bdi>: {loose}"
        self.checked.append(where)


@pytest.fixture(params=["csp-enforced", "csp-bypassed"])
def bypass_csp(request) -> bool:
    return request.param == "csp-bypassed"


@pytest.fixture
def advocate_site(browser, live_server, bypass_csp) -> Iterator[Site]:
    yield from _site(browser, live_server, bypass_csp=bypass_csp, **DESKTOP)


@pytest.fixture
def recipient_site(browser, live_server, bypass_csp) -> Iterator[Site]:
    yield from _site(browser, live_server, bypass_csp=bypass_csp, **DESKTOP)


@pytest.fixture
def reporter_site(browser, live_server, bypass_csp) -> Iterator[Site]:
    yield from _site(browser, live_server, bypass_csp=bypass_csp, **PHONE)


def _click(page: Page, role, name: str) -> None:
    """Click, and wait for the page the click leads to (not the one still showing)."""
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()


def _what_arrived(referral: Referral, advocate) -> list[str]:
    """Decrypt the referral as the organisation would, and return the text of each row it holds."""
    grant = referral.org_key.grants.get(staff_key__user=advocate)
    org_private = open_grant(grant, unlock_staff_key(advocate.vault_key, PASSWORD))
    key = vault_referrals.unwrap_key(bytes(referral.org_wrap), referral.id, org_private)
    return [text for _label, text in referrals_bridge.body_rows(referral_services.body(referral, key))]


def _reporter_follows_up(receipt: str) -> None:
    """The reporter sends a message and added details with the receipt."""
    reporter = CsrfClient()
    page = reporter.submit("/check/", {"receipt": receipt})
    page = reporter.submit(
        "/check/message/", {"token": hidden(page, "token"), "text": REPORTER_MESSAGE, "kind": "message"}
    )
    assert page.status_code == 200
    page = reporter.submit(
        "/check/message/", {"token": hidden(page, "token"), "text": REPORTER_DETAILS, "kind": "details"}
    )
    assert page.status_code == 200


def _advocate_replies_and_notes(advocate: Watch, advocate_site: Site, user, report: Report, typed: list[str]) -> Page:
    """The advocate: the queue, the report, a reply and a note."""
    log_in(advocate_site, user)
    advocate.check("queue")
    advocate_site.goto(f"/staff/reports/{report.id}/")
    advocate.check("report", [*typed, REPORTER_MESSAGE, REPORTER_DETAILS])
    page = advocate.page
    page.get_by_label("Reply to the reporter").fill(ADVOCATE_REPLY)
    _click(page, "button", "Send reply")
    page.get_by_label("Internal note (advocates only)").fill(ADVOCATE_NOTE)
    # The note's label leads to the note, never to the reply the reporter reads.
    expect(page.get_by_label("Reply to the reporter")).to_have_value("")
    _click(page, "button", "Add note")
    advocate.check("report with a reply and a note", [*typed, *ADVOCATE_REPLY.split("\n"), *ADVOCATE_NOTE.split("\n")])
    return page


def _build_and_send_the_referral(advocate: Watch, page: Page, receipt: str, user) -> list[str]:
    """The referral, as built: each text the policy lets go sits unchanged in its textarea. Sent, it
    arrives with real payloads in it; return the text of each row that arrived."""
    choose_recipient(page, ORGANISATION)
    advocate.check("referral: choose and build")
    stored = open_with_receipt(receipt).answers()
    built_referral = policy_bridge.build(stored, "victim_services", "en")
    built = {f["id"]: f["value"] for f in built_referral.to_dict()["fields"]}
    built |= {h.id: h.field.value for h in built_referral.held}
    textareas = page.locator("textarea[name^=text_]")
    assert textareas.count() >= 10
    for i in range(textareas.count()):
        area = textareas.nth(i)
        field_id = area.get_attribute("name").removeprefix("text_")
        assert area.input_value() == built[field_id], field_id
    boxes = page.get_by_label("I have read it, and it holds nothing", exact=False)
    assert boxes.count() == len(built_referral.held)
    for i in range(boxes.count()):
        boxes.nth(i).check()
    _click(page, "button", "Encrypt and send")
    assert heading(page) == f"Referral to {ORGANISATION}"
    referral = Referral.objects.get()
    arrived = _what_arrived(referral, user)
    assert built["narrative"] in arrived  # the advocate included it
    # The redactor takes some words out (it is not tuned for markup), but real payloads arrive.
    assert sum(len(MARKUP.findall(text)) for text in arrived) >= 20, arrived
    advocate.check("referral sent", arrived)
    return arrived


def _recipient_reads_and_replies(recipient: Watch, recipient_site: Site, user, arrived: list[str]) -> None:
    """The recipient: inbox, the referral, a reply, the printable view."""
    log_in(recipient_site, user)
    assert heading(recipient.page) == "Referrals received"
    recipient.check("inbox")
    with recipient.page.expect_navigation():
        recipient.page.get_by_role("table").get_by_role("link").click()
    recipient.check("referral received", [*arrived, *TO_RECIPIENT.split("\n")])
    recipient.page.get_by_label(MESSAGE_LABEL).fill(RECIPIENT_REPLY)
    _click(recipient.page, "button", "Send to the advocates")
    recipient.check("referral received, with a reply", RECIPIENT_REPLY.split("\n"))
    _click(recipient.page, "link", "Printable view")
    recipient.check("printable view", arrived, isolated=False)


def test_hostile_text_stays_text_from_the_form_to_the_recipients_printout(
    advocate_site, recipient_site, reporter_site, team
):
    data = hostile_text_report()
    typed = [data[name] for name in TEXT_FIELDS]
    receipt, _ = submit_report(CsrfClient(), data)
    report = Report.objects.get()
    _reporter_follows_up(receipt)

    advocate = Watch(advocate_site)
    page = _advocate_replies_and_notes(advocate, advocate_site, team["advocate"], report, typed)
    arrived = _build_and_send_the_referral(advocate, page, receipt, team["advocate"])
    page.get_by_label(MESSAGE_LABEL).fill(TO_RECIPIENT)
    _click(page, "button", "Send to the recipient")
    advocate.check("referral with a message", TO_RECIPIENT.split("\n"))

    recipient = Watch(recipient_site)
    _recipient_reads_and_replies(recipient, recipient_site, team["recipient"], arrived)

    # The advocate reads the recipient's reply.
    page.reload()
    advocate.check("referral with the recipient's reply", RECIPIENT_REPLY.split("\n"))

    # The reporter reads the advocate's reply, their own messages and what they reported.
    reporter_watch = Watch(reporter_site)
    open_in_browser(reporter_watch.page, reporter_site.base, receipt)
    expect(reporter_watch.page.locator(".message-advocate")).to_have_count(1)
    reporter_watch.check(
        "the reporter's page", [*typed, REPORTER_MESSAGE, REPORTER_DETAILS, *ADVOCATE_REPLY.split("\n")]
    )

    assert len(advocate.checked) == 7 and len(recipient.checked) == 4 and len(reporter_watch.checked) == 1


def test_hostile_values_in_choice_fields_stay_text_even_when_stored_around_the_form(advocate_site, reporter_site, team):
    hostile = hostile_choices()
    assert set(hostile) >= {"crime_types", "role", "needs", "consent", "contact_method", "incident_date"}

    # The form refuses every one of them...
    refused = fill_and_preview(CsrfClient(), dict(sample_report(), **hostile))
    assert refused.status_code == 400
    for name in hostile:
        assert field_error(refused, name), f"the form took a payload in {name}"
    assert Report.objects.count() == 0

    # ...so they are stored the way the form's own path stores a report, past its validation.
    report, receipt = submit(
        Draft(nonce=secrets.token_hex(16), lang="en", data=dict(hostile, area="Mission District"), photos=[])
    )
    shown = [v for v in values_of(hostile) if v != "victim_services"]  # shown by its label

    advocate = Watch(advocate_site)
    log_in(advocate_site, team["advocate"])
    advocate.check("queue", hostile["crime_types"])
    advocate_site.goto(f"/staff/reports/{report.id}/")
    advocate.check("report", shown)

    reporter = Watch(reporter_site)
    open_in_browser(reporter.page, reporter_site.base, receipt)
    reporter.check("the reporter's page", shown)
