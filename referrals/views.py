"""Referral views: advocates build and send; recipients read only what was sent to them."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from audit.services import record
from casework import presenters as staff_presenters
from casework.roles import ADVOCATE, RECIPIENT, profile_of, staff_required
from intake.models import Report
from intake.services import NoKey, open_for_staff
from referrals import alerts, export, pdf, policy_bridge, presenters, services
from referrals.forms import MessageForm, RecipientStatusForm
from referrals.models import AlertReview, PublishedAlert, Referral


def _open_report(request, report_id: str):
    report = get_object_or_404(Report.objects.select_related("org_key"), pk=report_id)
    if report.is_withdrawn:
        raise Http404
    try:
        return open_for_staff(report, request.harbor_keys, request.user.username, audit_action="report.decrypted")
    except NoKey:
        raise Http404 from None


@staff_required(ADVOCATE, unlocked=True)
@require_GET
def choose(request, report_id: str):
    opened = _open_report(request, report_id)
    data, _lang = services.report_data(opened)
    allowed, refused = services.targets(data)
    return render(
        request,
        "casework/referrals/choose.html",
        {
            "report": opened.report,
            "allowed": allowed,
            "refused": refused,
            "consents": data.get("consent") or ["record_only"],
        },
    )


def _rows_with_kinds(built, final):
    """Rows for the edit form, one per field the policy allows, in form order.

    Structured fields: their value, and whether they are in. Free text: held until ticked, with
    the original beside what would leave (removals struck, review flags marked).
    """
    current = {f["id"]: f for f in final.to_dict()["fields"]}
    offered = {f["id"]: f for f in built.to_dict()["fields"]}
    held = {h.id: h for h in built.held}
    rows = []
    for fid in built.order:
        included = fid in current
        f = current.get(fid) or offered.get(fid) or held[fid].field.to_dict()
        row = {
            "held": fid in held,
            "included": included,
            "id": fid,
            "label": presenters.field_label(fid),
            "text": isinstance(f["value"], str) and f["kind"] == "text",
            "value": f["value"],
            "display": policy_bridge.field_text(f),
        }
        if fid in held:
            redaction = held[fid].redaction
            row["segments"] = presenters.review_segments(redaction)
            row["flag_count"] = len(redaction.flags)
            language = held[fid].language
            row["language"] = staff_presenters.language_note(language) if language.languages else None
        rows.append(row)
    return rows


@staff_required(ADVOCATE, unlocked=True)
@require_http_methods(["GET", "POST"])
def build(request, report_id: str, target: str):
    """Show the policy output exactly as the recipient will see it; send it, narrowed, on confirm."""
    opened = _open_report(request, report_id)
    data, lang = services.report_data(opened)
    try:
        where = services.resolve(data, target)
        built = services.build(data, where, lang)
    except services.NoSuchTarget:
        raise Http404 from None
    except services.Refused as exc:
        return render(
            request, "casework/referrals/refused.html", {"report": opened.report, "reason": str(exc)}, status=403
        )
    final, error = built, ""
    if request.method == "POST":
        candidate = services.reviewed(built, request.POST)
        try:
            final = services.narrow(candidate, services.edited_from_post(candidate, request.POST))
        except services.Refused as exc:
            error = str(exc)
        if not error and request.POST.get("action") == "send":
            referral = services.send(opened, request.user, where, final)
            return redirect("referrals:detail", referral_id=referral.id)
    raw_trace = final.to_dict(include_trace=True)["trace"]
    label = presenters.field_label
    trace = {
        "removed": [{"label": label(r["field"])} for r in raw_trace["removed"]],
        "generalised": [{"label": label(r["field"])} for r in raw_trace["generalised"]],
        "spans": [{"label": label(f), "n": n} for f, n in raw_trace["spans_by_field"].items()],
        "flags": [{"label": label(f), "n": n} for f, n in raw_trace["flags_by_field"].items()],
        "staff_struck": [label(f) for f in raw_trace["staff_struck"]],
        "staff_removed": [label(f) for f in raw_trace["staff_removed"]],
    }
    return render(
        request,
        "casework/referrals/build.html",
        {
            "report": opened.report,
            "target": where,
            "rows": _rows_with_kinds(built, final),
            "preview": policy_bridge.body_rows(final.to_dict()),
            "notice": final.to_dict()["notice"],
            "flags": final.flags,
            "trace": trace,
            "trace_rows": presenters.trace_rows(raw_trace),
            "error": error,
        },
        status=400 if error else 200,
    )


@staff_required(ADVOCATE, unlocked=True)
@require_http_methods(["GET", "POST"])
def detail(request, referral_id: str):
    """An advocate follows a referral: what was sent, its status, messages with the recipient."""
    referral = get_object_or_404(Referral.objects.select_related("organisation", "org_key", "report"), pk=referral_id)
    try:
        key = services.key_for_advocate(referral, request.harbor_keys)
    except services.NoAccess:
        return render(request, "casework/referrals/detail.html", {"referral": referral, "erased": True})
    form = MessageForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if referral.is_alert and request.POST.get("action") == "retract":
            try:
                alerts.retract(referral, request.user)
            except services.Refused as exc:
                error = str(exc)
            else:
                return redirect("referrals:detail", referral_id=referral.id)
        elif form.is_valid() and not referral.is_closed_to_recipient and not referral.is_alert:
            services.add_message(referral, key, request.user, form.cleaned_data["text"], from_recipient=False)
            return redirect("referrals:detail", referral_id=referral.id)
    body = services.body(referral, key)
    context = {
        "referral": referral,
        "rows": policy_bridge.body_rows(body),
        "notice": body["notice"],
        "messages": services.messages(referral, key),
        "form": form,
        "error": error,
    }
    if referral.is_alert:
        context.update(
            {
                "alert_review": AlertReview.objects.filter(referral=referral).select_related("reviewer").first(),
                "alert_reason": alerts.reason(referral, key),
                "publication": PublishedAlert.objects.filter(referral=referral).first(),
                "may_review": alerts.may_review(referral, request.user),
                "can_retract": alerts.can_retract(referral),
            }
        )
    return render(request, "casework/referrals/detail.html", context, status=400 if (form.errors or error) else 200)


# --- recipients -------------------------------------------------------------------


def _inbox_queryset(request):
    profile = profile_of(request.user)
    if profile.organisation_id is None:
        return Referral.objects.none()
    return Referral.objects.filter(organisation_id=profile.organisation_id).exclude(profile="peer_alert")


@staff_required(RECIPIENT)
@require_GET
def inbox(request):
    referrals = _inbox_queryset(request).exclude(status=Referral.Status.REVOKED)
    return render(request, "casework/referrals/inbox.html", {"referrals": referrals})


def _open_for_recipient(request, referral_id: str):
    referral = get_object_or_404(_inbox_queryset(request), pk=referral_id)
    if referral.is_closed_to_recipient:
        return referral, None
    try:
        key = services.key_for_recipient(referral, request.user, request.harbor_keys)
    except services.NoAccess:
        raise Http404 from None
    return referral, key


@staff_required(RECIPIENT, unlocked=True)
@require_http_methods(["GET", "POST"])
def received(request, referral_id: str):
    referral, key = _open_for_recipient(request, referral_id)
    if key is None:
        return render(request, "casework/referrals/received.html", {"referral": referral, "closed": True})
    message_form = MessageForm(request.POST if request.POST.get("action") == "message" else None)
    status_form = RecipientStatusForm(request.POST if request.POST.get("action") == "status" else None)
    if request.method == "POST":
        if request.POST.get("action") == "message" and message_form.is_valid():
            services.add_message(referral, key, request.user, message_form.cleaned_data["text"], from_recipient=True)
            return redirect("referrals:received", referral_id=referral.id)
        if request.POST.get("action") == "status" and status_form.is_valid():
            services.set_recipient_status(referral, request.user, status_form.cleaned_data["status"])
            return redirect("referrals:received", referral_id=referral.id)
    else:
        services.mark_opened(referral, request.user)
    body = services.body(referral, key)
    return render(
        request,
        "casework/referrals/received.html",
        {
            "referral": referral,
            "rows": policy_bridge.body_rows(body),
            "notice": body["notice"],
            "flags": body["flags"],
            "messages": services.messages(referral, key),
            "message_form": message_form,
            "status_form": status_form,
        },
        status=400 if (message_form.errors or status_form.errors) else 200,
    )


@staff_required(RECIPIENT, unlocked=True)
@require_GET
def received_print(request, referral_id: str):
    referral, key = _open_for_recipient(request, referral_id)
    if key is None:
        raise Http404
    services.mark_opened(referral, request.user)
    body = services.body(referral, key)
    return render(
        request,
        "casework/referrals/print.html",
        {"referral": referral, "rows": policy_bridge.body_rows(body), "notice": body["notice"]},
    )


@staff_required(RECIPIENT, unlocked=True)
@require_GET
def received_pdf(request, referral_id: str):
    """A PDF made on request, in memory, never stored."""
    referral, key = _open_for_recipient(request, referral_id)
    if key is None:
        raise Http404
    services.mark_opened(referral, request.user)
    body = services.body(referral, key)
    data = pdf.render(referral, policy_bridge.body_rows(body), body["notice"])
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.id[:8]}.pdf"'
    return response


@staff_required(RECIPIENT, unlocked=True)
@require_GET
def received_json(request, referral_id: str):
    """The referral as JSON for the recipient's case-management system (docs/schema/referral-v1.json)."""
    referral, key = _open_for_recipient(request, referral_id)
    if key is None:
        raise Http404
    services.mark_opened(referral, request.user)
    document = export.document(referral, services.body(referral, key))
    record(request.user.username, "referral.exported", referral.id)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.id[:8]}.json"'
    return response


@require_safe
def referral_schema(request):
    """The JSON Schema of the referral export, read-only: the file in the repository, as it is."""
    return HttpResponse(export.schema_bytes(), content_type="application/schema+json")
