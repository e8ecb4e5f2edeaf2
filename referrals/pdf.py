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


class FontMissing(RuntimeError):
    """The system has no font for a script the PDF must show; the message says what to install."""


def _first(paths: list[Path]) -> Path | None:
    return next((p for p in paths if p.exists()), None)


def _scripts(lang: str, texts: list[str]) -> tuple[str | None, bool]:
    """Return the CJK face the PDF needs (a language code, or None) and whether it needs Thai.

    The page's language decides, and so does what is written in it: her own words in Thai in an
    English referral must still be drawn.
    """
    from policy.language import detect

    blob = "\n".join(texts)
    cjk = lang if lang in _CJK_FACE else None
    if cjk is None and any("\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7a3" for ch in blob):
        found = [code for code in detect(blob).languages if code in _CJK_FACE]
        cjk = found[0] if found else "zh-hans"
    thai = lang == "th" or any("\u0e00" <= ch <= "\u0e7f" for ch in blob)
    return cjk, thai


def _font(pdf: FPDF, lang: str = "en", texts: list[str] | None = None) -> tuple[str, bool]:
    """Set up the PDF's fonts: DejaVu, with the fonts of Chinese, Korean or Thai as fallbacks.

    Those are needed when ``lang`` is written in one of them or ``texts`` (everything the PDF
    will hold) contain them. Raise FontMissing when the system lacks one: a PDF of empty boxes
    must never go out looking complete.
    """
    family, unicode_ok = _dejavu(pdf)
    cjk, thai = _scripts(lang, texts or [])
    if not (cjk or thai):
        return family, unicode_ok
    if not unicode_ok:
        raise FontMissing(_("The PDF needs the DejaVu fonts (Debian package fonts-dejavu-core)."))
    fallbacks = []
    if cjk:
        _add_cjk(pdf, cjk)
        fallbacks.append("CJK")
    if thai:
        _add_thai(pdf)
        fallbacks.append("Thai")
    pdf.set_fallback_fonts(fallbacks)
    return family, unicode_ok


def _dejavu(pdf: FPDF) -> tuple[str, bool]:
    """DejaVu when the system has it (every Latin script), else the PDF core font (Latin-1 only)."""
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu", True
    return "Helvetica", False


def _add_cjk(pdf: FPDF, cjk: str) -> None:
    path = _first(_CJK_FONTS)
    if path is None:
        raise FontMissing(
            _("The PDF in this language needs a Chinese and Korean font (Debian package fonts-noto-cjk).")
        )
    for style in ("", "B"):
        pdf.add_font("CJK", style, str(path), collection_font_number=_CJK_FACE[cjk])


def _add_thai(pdf: FPDF) -> None:
    path = _first(_THAI_FONTS)
    if path is None:
        raise FontMissing(_("The PDF in Thai needs a Thai font (Debian package fonts-thai-tlwg)."))
    for style in ("", "B"):
        pdf.add_font("Thai", style, str(path))


def render(referral, rows: list[tuple[str, str]], notice: list[dict]) -> bytes:
    """Return the PDF bytes of a referral's rows and protections notice."""
    pdf = FPDF(format="Letter")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    family, unicode_ok = _font(pdf, texts=[str(v) for row in rows for v in row] + [i["text"] for i in notice])

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
    texts = [title_of(item) for item in items] + [str(v) for item in items for row in rows_of(item) for v in row]
    family, unicode_ok = _font(pdf, lang, texts)

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
