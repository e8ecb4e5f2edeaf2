"""Referrals and the safety-alert bulletin as PDF, built in memory on request and never stored."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from casework.presenters import verification_words
from referrals import readers

# DejaVu covers Latin (Spanish, Tagalog, Vietnamese), emoji aside; without it the core font takes
# Latin-1 only. Chinese, Korean and Thai need their own fonts: the system's, found when a PDF is
# made (Debian: fonts-noto-cjk, fonts-thai-tlwg; docs/translations.md), never fetched from anywhere.
_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]
_CJK_FONTS = [
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
]
# Which face of the Noto CJK collection draws each language's characters the way it writes them.
_CJK_FACE = {"ko": 1, "zh-hans": 2, "zh-hant": 3}
_THAI_FONTS = [
    Path("/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf"),
    Path("/usr/share/fonts/truetype/tlwg/Loma.ttf"),
    Path("/usr/share/fonts/truetype/tlwg/Waree.ttf"),
    Path("/usr/share/fonts/truetype/tlwg/Garuda.ttf"),
]
_SCRIPTS = {"zh-hant": "cjk", "zh-hans": "cjk", "ko": "cjk", "th": "thai"}


class FontMissing(RuntimeError):
    """The system has no font for a script the PDF must show; the message says what to install."""


def _first(paths: list[Path]) -> Path | None:
    return next((p for p in paths if p.exists()), None)


def _font(pdf: FPDF, lang: str = "en") -> tuple[str, bool]:
    """Set up the PDF's fonts for ``lang``: DejaVu, with the script's own font as a fallback.

    Raise FontMissing when ``lang`` is written in Chinese, Korean or Thai and the system lacks a
    font for it: a PDF of empty boxes must never go out looking complete.
    """
    family, unicode_ok = "Helvetica", False
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            family, unicode_ok = "DejaVu", True
            break
    script = _SCRIPTS.get(lang)
    if script is None:
        return family, unicode_ok
    if not unicode_ok:
        raise FontMissing(_("The PDF needs the DejaVu fonts (Debian package fonts-dejavu-core)."))
    if script == "cjk":
        path = _first(_CJK_FONTS)
        if path is None:
            raise FontMissing(
                _("The PDF in this language needs a Chinese and Korean font (Debian package fonts-noto-cjk).")
            )
        pdf.add_font("Script", "", str(path), collection_font_number=_CJK_FACE[lang])
        pdf.add_font("Script", "B", str(path), collection_font_number=_CJK_FACE[lang])
    else:
        path = _first(_THAI_FONTS)
        if path is None:
            raise FontMissing(_("The PDF in Thai needs a Thai font (Debian package fonts-thai-tlwg)."))
        pdf.add_font("Script", "", str(path))
        pdf.add_font("Script", "B", str(path))
    pdf.set_fallback_fonts(["Script"])
    return family, unicode_ok


def render(referral, rows: list[tuple[str, str]], notice: list[dict]) -> bytes:
    """Return the PDF bytes of a referral's rows and protections notice."""
    pdf = FPDF(format="Letter")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    family, unicode_ok = _font(pdf)

    def text(value: str) -> str:
        return value if unicode_ok else value.encode("latin-1", "replace").decode("latin-1")

    pdf.set_font(family, "B", 15)
    pdf.multi_cell(0, 8, text(_("Referral")) + f" {referral.id[:8]}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.multi_cell(
        0,
        6,
        text(
            _("Sent %(date)s. Confidential: do not copy or forward.")
            % {"date": referral.created_at.strftime("%Y-%m-%d")}
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for label, value in rows:
        pdf.set_font(family, "B", 11)
        pdf.multi_cell(0, 6, text(str(label)), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 11)
        pdf.multi_cell(0, 6, text(str(value)), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    if notice:
        pdf.ln(2)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 7, text(_("Protections that apply")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        for item in notice:
            pdf.multi_cell(
                0,
                5,
                text(f"{item['text']} ({item['citation']}; {verification_words(item['verification'])})"),
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.ln(1)
    pdf.set_font(family, "", 8)
    pdf.multi_cell(
        0,
        5,
        text(
            _("Generated %(when)s on request; Harbor does not keep this file.")
            % {"when": timezone.now().strftime("%Y-%m-%d %H:%M")}
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def render_bulletin(items: list, rows_of, title_of, lang: str = "en") -> bytes:
    """Return the PDF bytes of a bulletin of published safety alerts, in ``lang``.

    ``items`` are ``referrals.alerts.Published``; ``rows_of(item)`` gives its (label, text)
    rows and ``title_of(item)`` its title, in the active language. Nothing else goes in: no
    referral or report id, no link, no time finer than the day (the file's own creation
    date included). Raise FontMissing when the system has no font for ``lang``'s script.
    """
    today = timezone.localdate()
    pdf = FPDF(format="Letter")
    midnight = datetime.datetime.combine(today, datetime.time.min, tzinfo=datetime.UTC)
    pdf.set_creation_date(midnight)
    pdf.set_title(readers.safety_alerts())
    pdf.set_lang(lang)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    family, unicode_ok = _font(pdf, lang)

    def text(value: str) -> str:
        return value if unicode_ok else value.encode("latin-1", "replace").decode("latin-1")

    def line(value: str, size: int, style: str = "", height: int = 6) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, height, text(value), new_x="LMARGIN", new_y="NEXT")

    line(readers.safety_alerts(), 16, "B", 9)
    line(readers.bulletin_intro(today), 10)
    pdf.ln(3)
    for item in items:
        line(title_of(item), 12, "B", 7)
        line(readers.published_line(item.published_on, item.until), 9, height=5)
        for label, value in rows_of(item):
            line(str(label), 10, "B", 5)
            line(str(value), 10, height=5)
        pdf.ln(4)
    if not items:
        line(readers.no_alerts(), 11)
    line(readers.made_on_request(), 8, height=5)
    return bytes(pdf.output())
