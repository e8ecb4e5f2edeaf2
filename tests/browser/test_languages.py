"""The reporter's path in each of the eight languages, on a 360 px phone (since 2026-12).

One browser context per language walks every reporter page a visit can reach — landing,
rights, the form (empty, then with errors), the preview, the receipt, thanks, /check/, her
report with a message, and the erased page — with JavaScript on, asking axe-core for
violations, the page for sideways scrolling, and <html lang> for the page's language. Then the
form and the send again with JavaScript off. Buttons are found by what they do, not by their
words, so the same walk serves every language. Chinese, Korean and Thai need their fonts
installed (.ci/run: fonts-noto-cjk, fonts-thai-tlwg), or the layout measured is not a phone's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import PHONE, _site
from tests.browser.flows import fill_report, sample_report
from tests.browser.test_accessibility import Audit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# A browser asking for each language, and what she writes in her own words.
LANGUAGES = {
    "en": ("en-US", "He pushed me against the wall and took my phone and bag."),
    "es": ("es-MX", "Me empujó contra la pared y se llevó mi teléfono y mi bolsa."),
    "zh-hant": ("zh-TW", "他把我推到牆上，拿走了我的手機和包包。他說如果我報警，他會回來找我。"),
    "zh-hans": ("zh-CN", "他把我推到墙上，拿走了我的手机和包。他说如果我报警，他会回来找我。"),
    "tl": ("fil-PH", "Itinulak niya ako sa pader at kinuha ang cellphone at bag ko."),
    "vi": ("vi-VN", "Anh ta đẩy tôi vào tường và lấy điện thoại và túi của tôi."),
    "ko": ("ko-KR", "그 남자가 저를 벽에 밀치고 제 휴대폰과 가방을 가져갔어요."),
    "th": ("th-TH", "เขาผลักฉันชนกำแพงแล้วเอาโทรศัพท์กับกระเป๋าของฉันไป เขาบอกว่าถ้าฉันแจ้งตำรวจเขาจะกลับมา"),
}
PREFIX = {code: "" if code == "en" else f"/{code}" for code in LANGUAGES}

PREVIEW = 'button[name="action"][value="preview"]'
SEND = 'button[formaction$="/report/send/"]'


def _phone(browser, live_server, lang: str, **options) -> Iterator:
    yield from _site(browser, live_server, locale=LANGUAGES[lang][0], **PHONE, **options)


class LanguageAudit(Audit):
    """Audit, and every page in the language asked for."""

    def __init__(self, site, lang: str):
        super().__init__(site, phone=True)
        self.lang = lang

    def check(self, name: str) -> None:
        page = self.site.page
        page.wait_for_load_state()
        got = page.get_attribute("html", "lang")
        if got != self.lang:
            self.problems.append(f"{name}: <html lang={got!r}>, not {self.lang!r}")
        super().check(f"{self.lang} {name}")


def _report(lang: str) -> dict:
    return dict(sample_report(), narrative=LANGUAGES[lang][1])


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_reporter_path_in_each_language_on_a_phone(browser, live_server, org_keys, axe_source, lang):
    for site in _phone(browser, live_server, lang):
        site.context.add_init_script(axe_source)
        audit = LanguageAudit(site, lang)
        page = site.page
        prefix = PREFIX[lang]

        # The first visit follows the browser's language.
        page.goto(site.url("/"))
        assert page.url == site.url(f"{prefix}/"), page.url
        audit.check("landing")
        site.goto(f"{prefix}/rights/")
        audit.check("rights")

        site.goto(f"{prefix}/report/")
        audit.check("report form")
        page.locator(PREVIEW).click()
        page.wait_for_load_state()
        assert page.locator("#form-errors").is_visible()
        audit.check("report form with errors")
        fill_report(page, _report(lang))
        page.locator(PREVIEW).click()
        audit.check("preview")
        assert LANGUAGES[lang][1] in page.locator("main").inner_text()  # her own words, as she wrote them

        page.locator(SEND).click()
        page.wait_for_load_state()
        groups = page.locator(".receipt-group").all_inner_texts()
        assert len(groups) == 5, page.locator("main").inner_text()[:500]
        receipt = "-".join(g.strip() for g in groups)
        audit.check("receipt")
        page.locator("#written").check()
        page.locator('form[action$="/report/done/"] button[type="submit"]').click()
        audit.check("thank-you")

        site.goto(f"{prefix}/check/")
        audit.check("check form")
        page.locator('input[name="receipt"]').fill(receipt.replace("-", " ").lower())
        page.locator('form[action$="/check/"] button[type="submit"]').click()
        page.wait_for_load_state()
        page.locator('textarea[name="text"]').fill(LANGUAGES[lang][1])
        page.locator('form[action$="/check/message/"] button[type="submit"]').click()
        page.wait_for_load_state()
        assert page.locator(".message").count() == 1
        audit.check("her report, with a message")
        page.locator('input[name="confirm"]').check()
        page.locator('form[action$="/check/withdraw/"] button[type="submit"]').click()
        audit.check("erased")

        assert not audit.problems, "\n".join(audit.problems)
        assert len(audit.pages) == 10
        cookies = {c["name"]: c for c in site.context.cookies()}
        assert set(cookies) <= {"csrftoken"}, cookies
        assert all(c["expires"] == -1 for c in cookies.values()), "only cookies that end with the visit"


def _overflow(page) -> int:
    # Playwright's own scripts still run with the page's JavaScript off.
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_form_and_the_send_without_javascript(browser, live_server, org_keys, lang):
    for site in _phone(browser, live_server, lang, java_script_enabled=False):
        page = site.page
        prefix = PREFIX[lang]
        for step in ("form", "preview", "receipt"):
            if step == "form":
                site.goto(f"{prefix}/report/")
            elif step == "preview":
                fill_report(page, _report(lang))
                page.locator(PREVIEW).click()
                page.wait_for_load_state()
            else:
                page.locator(SEND).click()
                page.wait_for_load_state()
                assert page.locator(".receipt-group").count() == 5
            assert page.get_attribute("html", "lang") == lang, step
            assert _overflow(page) <= 0, f"{lang} {step}: wider than the phone"
