"""The statistics page: reports per month by crime type and by need.

The server cannot count what it cannot read: the numbers come from the
summaries the viewer's unlocked keys open, computed for this request and
never stored. casework/stats.py decides what may be shown (small counts).
Advocates, administrators and auditors see it (casework.roles.STATISTICS);
a viewer whose keys open no summary sees only the reports received per month.
"""

from __future__ import annotations

from datetime import datetime, time

from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.services import record
from casework import charts, services, stats
from casework.roles import STATISTICS, staff_required
from intake.choices import CRIME_TYPES, NEEDS

DIMENSIONS = [("crime_types", CRIME_TYPES), ("needs", NEEDS)]


def _month(at: datetime):
    return timezone.localtime(at).date().replace(day=1)


def _text(cell: stats.Cell) -> dict[str, str]:
    texts = {
        stats.SMALL: _("fewer than 5"),
        stats.HIDDEN: _("not shown"),
        stats.COLLAPSED: "–",
        stats.WITHHELD: _("withheld"),
    }
    return {"state": cell.state, "text": str(cell.value) if cell.shown else texts[cell.state]}


@staff_required(*STATISTICS, unlocked=True)
@require_GET
def statistics(request):
    months = stats.last_months(timezone.localdate())
    since = timezone.make_aware(datetime.combine(months[0], time.min))
    entries, unreadable = services.summaries_since(since, request.harbor_keys)
    # Keys that open no summary (an auditor's; an administrator who holds no grant) still see
    # what the server counts alone: the hour each report arrived is not encrypted. The same
    # rules apply to those counts; the tables by crime type and need are left out.
    keyless = not entries and unreadable > 0
    if keyless:
        entries = [(at, {}) for at in services.received_since(since)]
    result = stats.build(
        ((_month(at), s) for at, s in entries), months, [] if keyless else DIMENSIONS, none_label=_("None stated")
    )
    record(request.user.username, "stats.viewed")

    span = {"first": date_format(months[0], "F Y"), "last": date_format(months[-1], "F Y")}
    titles = {
        "crime_types": (_("Reports by type of crime"), _("Type of crime")),
        "needs": (_("Reports by what the reporter needs"), _("Need")),
    }
    tables = []
    for table in result.tables:
        title, heading = titles[table.key]
        series = [(str(row.label), row.cells) for row in table.rows]
        tables.append(
            {
                "key": table.key,
                "title": title,
                "heading": heading,
                "chart": charts.stacked_bars(
                    chart_id=f"chart-{table.key}",
                    title=title,
                    description=_(
                        "Stacked bars, one for each month from %(first)s to %(last)s. Only counts of 5 or more "
                        "are drawn; the table below gives every figure the page may show."
                    )
                    % span,
                    months=months,
                    series=series,
                ),
                "rows": [
                    {"label": str(row.label), "cells": [_text(c) for c in row.cells], "total": _text(row.total)}
                    for row in table.rows
                ],
            }
        )
    return render(
        request,
        "casework/stats.html",
        {
            "months": months,
            "span": span,
            "tables": tables,
            "month_totals": [_text(c) for c in result.month_totals],
            "total": _text(result.total),
            # Itself a count: 1 to 4 reads "fewer than 5".
            "unreadable": _text(
                stats.Cell(None, stats.SMALL) if 0 < unreadable < stats.THRESHOLD else stats.Cell(unreadable)
            ),
            "any_unreadable": unreadable > 0 and not keyless,
            "keyless": keyless,
        },
    )
