"""The staff dashboard: queue, report, replies, notes. Thin views over casework.services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.services import record
from casework import presenters, services
from casework.forms import AssignForm, NoteForm, QueueFilterForm, ReplyForm, StatusForm
from casework.roles import ADMIN, ADVOCATE, AUDITOR, RECIPIENT, profile_of, staff_required
from intake.models import Message, Report
from intake.services import NoKey, answers_of, open_for_staff

PAGE_SIZE = 25


@staff_required()
@require_GET
def home(request):
    profile = profile_of(request.user)
    for role, target in (
        (ADVOCATE, "casework:queue"),
        (RECIPIENT, "referrals:inbox"),
        (ADMIN, "casework:users"),
        (AUDITOR, "casework:audit"),
    ):
        if profile.has_role(role):
            return redirect(target)
    return render(
        request,
        "casework/message.html",
        {"title": _("No role yet"), "text": _("Ask an administrator to give your account a role.")},
    )


def _advocates():
    from casework.models import StaffProfile

    ids = [p.user_id for p in StaffProfile.objects.all() if p.has_role(ADVOCATE)]
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


@staff_required(ADVOCATE, unlocked=True)
@require_GET
def queue(request):
    form = QueueFilterForm(request.GET or None)
    reports = Report.objects.all()
    status = assignee = ""
    sort = "-received_at"
    if form.is_valid():
        status = form.cleaned_data["status"]
        assignee = form.cleaned_data["assignee"]
        sort = form.cleaned_data["sort"] or sort
    if status:
        reports = reports.filter(status=status)
    if assignee == "me":
        reports = reports.filter(assignee=request.user)
    elif assignee == "none":
        reports = reports.filter(assignee__isnull=True)
    reports = reports.order_by(sort, "id")
    # COUNT(*), not COUNT(id): the status index answers it without reading rows.
    counts = dict(Report.objects.values_list("status").annotate(n=Count("*")).values_list("status", "n"))
    # Page through ids only, which the indexes in Report.Meta hold: a deep page
    # skips thousands of rows, each wide with a 1.2 kB wrap. Then load the 25.
    paginator = Paginator(reports.values_list("id", flat=True), PAGE_SIZE)
    if not assignee:
        paginator.count = counts.get(status, 0) if status else sum(counts.values())  # no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    found = Report.objects.select_related("org_key", "assignee").in_bulk(ids)
    shown = [found[i] for i in ids if i in found]
    summaries = services.summaries(shown, request.harbor_keys)
    # One event for the page, not one per report: which page, never what it showed.
    record(request.user.username, "queue.viewed", str(page.number))
    awaiting = services.awaiting_answer(ids)
    rows = [{"report": r, "summary": summaries.get(r.id, {}), "awaiting": r.id in awaiting} for r in shown]
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


def _open(request, report_id: str, action: str = "report.viewed"):
    report = get_object_or_404(Report.objects.select_related("org_key", "assignee"), pk=report_id)
    if report.is_withdrawn:
        return report, None
    try:
        return report, open_for_staff(report, request.harbor_keys, request.user.username, audit_action=action)
    except NoKey:
        return report, None


@staff_required(ADVOCATE, unlocked=True)
@require_GET
def report_detail(request, report_id: str):
    report, opened = _open(request, report_id)
    context = {"report": report, "opened": opened}
    if opened is not None:
        sections = opened.sections()
        data = answers_of(sections)
        messages = opened.messages()
        context.update(
            sections=presenters.report_sections(data),
            summary=sections.get("summary", {}),
            messages=messages,
            awaiting=bool(messages) and messages[-1]["author"] == Message.Author.REPORTER,
            notes=opened.notes(),
            photos=list(report.attachments.values_list("item", flat=True)),
            referrals=list(report.referrals.select_related("organisation")),
            reply_form=ReplyForm(),
            # Its own ids: both forms have a "text" field, and a label must not lead to the reply box.
            note_form=NoteForm(auto_id="id_note_%s"),
            status_form=StatusForm(initial={"status": report.status}),
            assign_form=AssignForm(initial={"assignee": str(report.assignee_id or "")}, advocates=_advocates()),
        )
    return render(request, "casework/report.html", context)


def _post_action(request, report_id: str, form_class, apply, **form_kwargs):
    report, opened = _open(request, report_id, action="report.decrypted")
    if opened is None:
        raise Http404
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        apply(opened, form.cleaned_data)
        return redirect("casework:report", report_id=report.id)
    return render(request, "casework/form_error.html", {"form": form, "report": report}, status=400)


@staff_required(ADVOCATE, unlocked=True)
@require_POST
def reply(request, report_id: str):
    return _post_action(
        request, report_id, ReplyForm, lambda o, d: services.reply(o, request.user, d["text"], d["then"])
    )


@staff_required(ADVOCATE, unlocked=True)
@require_POST
def note(request, report_id: str):
    return _post_action(request, report_id, NoteForm, lambda o, d: services.add_note(o, request.user, d["text"]))


@staff_required(ADVOCATE, unlocked=True)
@require_POST
def status(request, report_id: str):
    return _post_action(
        request, report_id, StatusForm, lambda o, d: services.set_status(o.report, request.user, d["status"])
    )


@staff_required(ADVOCATE, unlocked=True)
@require_POST
def assign(request, report_id: str):
    advocates = _advocates()

    def apply(opened, data):
        who = advocates.filter(pk=data["assignee"]).first() if data["assignee"] else None
        services.assign(opened.report, request.user, who)

    return _post_action(request, report_id, AssignForm, apply, advocates=advocates)


@staff_required(ADVOCATE, unlocked=True)
@require_GET
def photo(request, report_id: str, item: str):
    """Stream a decrypted photo from memory; it is never written to disk decrypted."""
    report, opened = _open(request, report_id, action="report.photo_viewed")
    if opened is None or not report.attachments.filter(item=item).exists():
        raise Http404
    response = HttpResponse(opened.photo(item), content_type="image/jpeg")
    response["Content-Disposition"] = "inline"
    return response
