"""Baseline views: the same work as Harbor's, over plaintext rows (`make bench` only)."""

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bench.baseline.models import PlainReport, PlainSection
from casework.forms import QueueFilterForm
from casework.roles import ADVOCATE, staff_required
from casework.views import PAGE_SIZE
from intake import ratelimit, services
from intake.models import Report, SpentDraft


@require_POST
def plain_send(request):
    """intake.views.send without the encryption: the same rate limit and replay marker.

    Those two are not encryption, and a plaintext Harbor would keep them, so the ratio
    measures what encrypting costs (docs/benchmarks.md). Until version 2 (2026-11) the baseline
    skipped them; that comparison is reported there too.
    """
    token = request.POST.get("draft", "")
    draft = services.unseal_draft(token)
    counted = ratelimit.counters(request, "submit", settings.HARBOR_RATE_SUBMIT, settings.HARBOR_RATE_SUBMIT_GLOBAL)
    ratelimit.gate(request, "submit", counted, token, count=True)
    with transaction.atomic():
        SpentDraft.objects.create(digest=services.spent_digest(draft))
        report = PlainReport.objects.create(received_at=timezone.now())
        sections = services.sections_of(draft.data)
        sections["summary"] = services.summary_of(draft.data, len(draft.photos))
        PlainSection.objects.bulk_create(
            PlainSection(report=report, name=name, body=json.dumps(values)) for name, values in sections.items()
        )
    # Render the same receipt page so both paths pay for the same template.
    return render(
        request, "intake/receipt.html", {"receipt": "0000-0000-0000-0000-0000", "receipt_groups": ["0000"] * 5}
    )


class _PlainRow:
    """What casework/queue.html reads of a report, for a plaintext row."""

    def __init__(self, report: PlainReport):
        self.id = report.id
        self.received_at = report.received_at
        self.status = report.status
        self.assignee = None

    def get_status_display(self):
        return _STATUS_LABELS.get(self.status, self.status)


_STATUS_LABELS = dict(Report.Status.choices)


@staff_required(ADVOCATE)
@require_GET
def plain_queue(request):
    """The advocate queue (casework.views.queue) over plaintext rows: same queries, same template.

    Only what encryption changes differs: no keys are loaded and summaries are
    parsed instead of unwrapped and decrypted.
    """
    form = QueueFilterForm(request.GET or None)
    reports = PlainReport.objects.all()
    status = ""
    sort = "-received_at"
    if form.is_valid():
        status = form.cleaned_data["status"]
        sort = form.cleaned_data["sort"] if form.cleaned_data["sort"] in ("received_at", "-received_at") else sort
    if status:
        reports = reports.filter(status=status)
    reports = reports.order_by(sort, "id")
    counts = dict(PlainReport.objects.values_list("status").annotate(n=Count("*")).values_list("status", "n"))
    paginator = Paginator(reports.values_list("id", flat=True), PAGE_SIZE)
    paginator.count = counts.get(status, 0) if status else sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    found = PlainReport.objects.in_bulk(ids)
    shown = [found[i] for i in ids if i in found]
    bodies = dict(PlainSection.objects.filter(report__in=shown, name="summary").values_list("report_id", "body"))
    rows = [{"report": _PlainRow(r), "summary": json.loads(bodies[r.id]) if r.id in bodies else {}} for r in shown]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": [(value, label, counts.get(value, 0)) for value, label in Report.Status.choices],
            "total": sum(counts.values()),
            "query": query.urlencode(),
        },
    )
