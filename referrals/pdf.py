"""Referrals and the safety-alert bulletin as PDF, built in memory on request and never stored."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from casework.presenters import verification_words

# DejaVu covers Spanish, emoji aside; without it the core font takes Latin-1 only.
_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]


def _font(pdf: FPDF) -> tuple[str, bool]:
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu", True
    return "Helvetica", False


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


def render_bulletin(items: list, rows_of, title_of) -> bytes:
    """Return the PDF bytes of a bulletin of published safety alerts.

    ``items`` are ``referrals.alerts.Published``; ``rows_of(item)`` gives its (label, text)
    rows and ``title_of(item)`` its title, in the active language. Nothing else goes in: no
    referral or report id, no link, no time finer than the day (the file's own creation
    date included).
    """
    today = timezone.localdate()
    pdf = FPDF(format="Letter")
    midnight = datetime.datetime.combine(today, datetime.time.min, tzinfo=datetime.UTC)
    pdf.set_creation_date(midnight)
    pdf.set_title(_("Safety alerts"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    family, unicode_ok = _font(pdf)

    def text(value: str) -> str:
        return value if unicode_ok else value.encode("latin-1", "replace").decode("latin-1")

    def line(value: str, size: int, style: str = "", height: int = 6) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, height, text(value), new_x="LMARGIN", new_y="NEXT")

    line(_("Safety alerts"), 16, "B", 9)
    line(
        _("Warnings about people who hurt workers, as of %(date)s. Nothing here is about who reported.")
        % {"date": date_format(today, "DATE_FORMAT")},
        10,
    )
    pdf.ln(3)
    for item in items:
        line(title_of(item), 12, "B", 7)
        line(
            _("Published %(published)s; shown until %(until)s.")
            % {
                "published": date_format(item.published_on, "DATE_FORMAT"),
                "until": date_format(item.until, "DATE_FORMAT"),
            },
            9,
            height=5,
        )
        for label, value in rows_of(item):
            line(str(label), 10, "B", 5)
            line(str(value), 10, height=5)
        pdf.ln(4)
    if not items:
        line(_("No alerts are published right now."), 11)
    line(_("Made on request; Harbor does not keep this file."), 8, height=5)
    return bytes(pdf.output())
