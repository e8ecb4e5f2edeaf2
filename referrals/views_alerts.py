"""Safety alert pages: the list, the second advocate's review, the bulletin, subscribers and their feed.

Thin views over referrals/alerts.py, which enforces who may decide what.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from audit.services import record
from casework.roles import ADMIN, ADVOCATE, staff_required
from referrals import alerts, feed, pdf, policy_bridge, presenters, services
from referrals.forms import SendBackForm, SubscriberForm
from referrals.models import AlertSubscriber, PublishedAlert, Referral

#: The bulletin is printed for workers: every reporter language (fonts: referrals/pdf.py).
BULLETIN_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def _published_rows(item: alerts.Published) -> list[tuple[str, str]]:
    return policy_bridge.body_rows({"fields": item.fields})


@staff_required(ADVOCATE, unlocked=True)
@require_GET
def alert_list(request):
    """Alerts waiting for a second advocate, and those published now (as subscribers read them)."""
    waiting = [
        {"referral": r, "mine": r.created_by_id == request.user.pk}
        for r in Referral.objects.filter(profile="peer_alert", status=Referral.Status.DRAFT_ALERT).select_related(
            "created_by"
        )
    ]
    referral_of = {str(pk): rid for pk, rid in PublishedAlert.objects.values_list("id", "referral_id")}
    published = [
        {
            "item": item,
            "title": feed.title(item),
            "rows": _published_rows(item),
            "referral_id": referral_of.get(item.public_id),
        }
        for item in alerts.published()
    ]
    from config.languages import native_name

    bulletin_languages = [(code, native_name(code)) for code in BULLETIN_LANGUAGES]
    return render(
        request,
        "casework/referrals/alerts.html",
        {"waiting": waiting, "published": published, "bulletin_languages": bulletin_languages},
    )


def _review_rows(stored, final) -> list[dict]:
    """One row per field of the alert as its author sent it: in or left out, text editable."""
    current = {f["id"]: f for f in final.to_dict()["fields"]}
    rows = []
    for f in stored.to_dict()["fields"]:
        shown = current.get(f["id"], f)
        rows.append(
            {
                "id": f["id"],
                "label": presenters.field_label(f["id"]),
                "included": f["id"] in current,
                "text": isinstance(f["value"], str) and f["kind"] == "text",
                "value": shown["value"],
                "display": policy_bridge.field_text(f),
            }
        )
    return rows


def _refused(request, referral: Referral, reason: str, status: int):
    return render(
        request,
        "casework/referrals/alert_refused.html",
        {"referral": referral, "reason": reason},
        status=status,
    )


@staff_required(ADVOCATE, unlocked=True)
@require_http_methods(["GET", "POST"])
def review(request, alert_id: str):
    """A second advocate sees exactly what would be published, may remove more, and publishes or sends it back."""
    referral = get_object_or_404(
        Referral.objects.select_related("org_key", "created_by"), pk=alert_id, profile="peer_alert"
    )
    try:
        key = services.key_for_advocate(referral, request.harbor_keys)
    except services.NoAccess:
        raise Http404 from None
    body = services.body(referral, key)
    stored = alerts.candidate(body)
    final, error = stored, ""
    action = request.POST.get("action") if request.method == "POST" else None
    send_back_form = SendBackForm(request.POST if action == "send_back" else None)
    if request.method == "POST":
        try:
            # Checked here for a clear answer, and again in the service under a row lock.
            alerts.check_reviewer(referral, request.user)
            if action == "send_back":
                if send_back_form.is_valid():
                    alerts.send_back(referral, request.user, key, send_back_form.cleaned_data["reason"])
                    return redirect("referrals:detail", referral_id=referral.id)
            else:
                final = alerts.narrowed(body, request.POST)
                if action == "publish":
                    alerts.approve(referral, request.user, key, final)
                    return redirect("referrals:detail", referral_id=referral.id)
        except alerts.OwnAlert as exc:
            return _refused(request, referral, str(exc), 403)
        except alerts.NotWaiting as exc:
            return _refused(request, referral, str(exc), 409)
        except services.Refused as exc:
            error = str(exc)
    return render(
        request,
        "casework/referrals/alert_review.html",
        {
            "referral": referral,
            "may_review": alerts.may_review(referral, request.user),
            "mine": referral.created_by_id == request.user.pk,
            "preview": policy_bridge.body_rows(final.to_dict()),
            "rows": _review_rows(stored, final),
            "send_back_form": send_back_form,
            "days": alerts.alert_days(),
            "error": error,
        },
        status=400 if (error or send_back_form.errors) else 200,
    )


@staff_required(ADVOCATE)
@require_GET
def bulletin(request):
    """The published alerts as a printable PDF, made in memory on request and never stored."""
    lang = request.GET.get("lang")
    lang = lang if lang in BULLETIN_LANGUAGES else (get_language() or "en")
    items = alerts.published()
    with translation.override(lang):
        try:
            data = pdf.render_bulletin(items, rows_of=_published_rows, title_of=feed.title, lang=lang)
        except pdf.FontMissing as exc:
            return render(
                request, "casework/error.html", {"title": _("The PDF could not be made"), "text": str(exc)}, status=503
            )
    record(request.user.username, "alert.bulletin")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="safety-alerts-{timezone.localdate().isoformat()}.pdf"'
    return response


@staff_required(ADMIN)
@require_http_methods(["GET", "POST"])
def subscribers(request):
    """Who receives the alerts by a secret link; a new link is shown once, when it is made."""
    form = SubscriberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscriber, token = alerts.create_subscriber(request.user, form.cleaned_data["name"], form.cleaned_data["lang"])
        link = request.build_absolute_uri(reverse("public:alert_feed", kwargs={"token": token}))
        # Shown in this response only: Harbor keeps a keyed hash of the token, never the token.
        return render(request, "casework/referrals/subscriber_link.html", {"subscriber": subscriber, "link": link})
    return render(
        request,
        "casework/referrals/subscribers.html",
        {"form": form, "subscribers": AlertSubscriber.objects.select_related("created_by")},
        status=400 if form.errors else 200,
    )


@staff_required(ADMIN)
@require_POST
def subscriber_revoke(request, subscriber_id: int):
    subscriber = get_object_or_404(AlertSubscriber, pk=subscriber_id)
    alerts.revoke_subscriber(request.user, subscriber)
    return redirect("referrals:subscribers")


@csrf_exempt  # it reads and never changes anything: POST and the rest get 405, not a CSRF page
@require_safe
def alert_feed(request, token: str):
    """The published alerts as Atom, for the subscriber whose secret link this is.

    No session, no login, no form: the token is the whole credential, and a
    malformed, unknown or revoked one is a plain 404, the same for each.
    """
    subscriber = alerts.subscriber_for(token)
    if subscriber is None:
        raise Http404
    with translation.override(subscriber.lang):
        document = feed.render(str(subscriber.feed_id), alerts.published(), timezone.localdate())
    return HttpResponse(document, content_type="application/atom+xml; charset=utf-8")
