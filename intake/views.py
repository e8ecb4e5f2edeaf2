"""The anonymous surface. Views only route; forms validate, services store."""

from __future__ import annotations

import contextlib
import math
import time

from django.conf import settings
from django.core import signing
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intake import policy_bridge, ratelimit, services
from intake.forms import ConsentForm, MessageForm, ReceiptForm, ReportForm, WithdrawForm
from intake.images import ImageRejected, reencode
from intake.presenters import STATUS_WORDS, sections_for_display, shared_with
from vault import once
from vault.exceptions import DecryptionError, ExpiredTokenError, InvalidReceiptError, KeyMissingError
from vault.receipts import display

STARTED_SALT = "harbor.intake.started"


def _started_token(seconds_ago: float = 0) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=STARTED_SALT)


def _elapsed(token: str) -> float | None:
    try:
        started = signing.loads(token, salt=STARTED_SALT, max_age=settings.HARBOR_DRAFT_MAX_AGE * 4)
    except signing.BadSignature:
        return None
    return time.time() - float(started)


@require_GET
def landing(request) -> HttpResponse:
    lang = get_language() or "en"
    return render(request, "intake/landing.html", {"protection_summaries": policy_bridge.summaries(lang)})


def error_links(*forms) -> list[tuple[str, str]]:
    """Each error of ``forms`` as (the id of its field's first input, the words): the page's error summary.

    A group of boxes or buttons has no element of its own id; its first input (``id_consent_0``)
    is where the link takes her.
    """
    out = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            if name == "__all__" or name not in form.fields:
                out += [("", str(message)) for message in errors]
                continue
            field = form[name]
            anchor = field.id_for_label or f"{field.auto_id}_0"
            out += [(anchor, f"{field.label}: {message}" if field.label else str(message)) for message in errors]
    return out


def _form_page(request, form: ReportForm, status: int = 200, notice: str = "") -> HttpResponse:
    return render(
        request, "intake/report.html", {"form": form, "notice": notice, "errors": error_links(form)}, status=status
    )


def _fresh_form(initial: dict | None = None, photos: list[bytes] | None = None, key: str = "") -> ReportForm:
    photos = photos or []
    initial = dict(initial or {})
    initial.update(
        once=key if once.is_key(key) else once.new_key(),
        started=_started_token(),
        carried_photos=services.seal_photos(photos),
        keep_photos=[str(i) for i in range(len(photos))],
    )
    return ReportForm(initial=initial, carried_count=len(photos))


def _from_draft(request) -> HttpResponse:
    """ "Change something", or back from the waiting page: the form, or the confirmation page, from the draft."""
    token = request.POST.get("draft", "")
    try:
        draft = services.unseal_draft(token)
    except (DecryptionError, ExpiredTokenError):
        return render(request, "intake/expired.html", status=400)
    if request.POST["action"] == "resume":
        # Back from the waiting page with a pass: the confirmation page, if it is time.
        return _preview(request, draft.data, draft.photos, token)
    # The time already spent counts: a person editing is not a bot. The form keeps its one-time key.
    form = _fresh_form(draft.data, draft.photos, draft.nonce)
    form.initial["started"] = _started_token(settings.HARBOR_MIN_FORM_SECONDS)
    return _form_page(request, form)


def _photos_of(request, form: ReportForm, carried: list[bytes], photos_lost: bool) -> tuple[list[bytes], list[str]]:
    """The photos kept and newly added (re-encoded), and what to say about those that could not be."""
    data = form.cleaned_data
    keep = (
        {int(i) for i in data.get("keep_photos", []) if i.isascii() and i.isdigit()}
        if "keep_photos" in data
        else set(range(len(carried)))
    )
    photos = [p for i, p in enumerate(carried) if i in keep]
    photo_errors = [
        _("“%(name)s” is larger than %(size)s and was not added.")
        % {"name": name, "size": filesizeformat(settings.HARBOR_MAX_IMAGE_BYTES)}
        for name in getattr(request, "harbor_upload_errors", [])
    ]
    if photos_lost:
        photo_errors.append(
            _(
                "The photos you added earlier could not be kept, because this page was open for a "
                "long time. Everything you wrote is still here. Please add the photos again."
            )
        )
    # The form shown again has no files to validate: keep the photo field's own errors.
    photo_errors += [str(error) for error in form.errors.get("photos", [])]
    for upload in data.get("photos") or []:
        try:
            photos.append(reencode(upload.read()))
        except ImageRejected as exc:
            photo_errors.append(f"“{upload.name}”: {exc}")
    if len(photos) > settings.HARBOR_MAX_IMAGES:
        photo_errors.append(_("Please choose at most %(n)d photos.") % {"n": settings.HARBOR_MAX_IMAGES})
        photos = photos[: settings.HARBOR_MAX_IMAGES]
    return photos, photo_errors


def _bot_notice(request) -> tuple[str, float | None]:
    """What to say when the honeypot is filled or the form came back too fast, and the time it took."""
    elapsed = _elapsed(request.POST.get("started", ""))
    if request.POST.get("website"):
        return _("Something went wrong. Please check your answers and press Continue again."), elapsed
    if elapsed is None or elapsed < settings.HARBOR_MIN_FORM_SECONDS:
        return _("Please check your answers and press Continue again."), elapsed
    return "", elapsed


@require_http_methods(["GET", "POST"])
def report(request) -> HttpResponse:
    """Show the form; on POST validate it and show the confirmation page.

    Nothing is stored here. An invalid form comes back with every value and
    every accepted photo kept, and a message at each field that needs one.
    """
    if request.method == "GET":
        return _form_page(request, _fresh_form())

    if request.POST.get("action") in ("edit", "resume"):
        return _from_draft(request)

    photos_lost = False
    try:
        carried = services.unseal_photos(request.POST.get("carried_photos", ""))
    except (DecryptionError, ExpiredTokenError):
        # Photos added earlier cannot be opened (the page was open too long, or the token was
        # altered): say so, rather than send the report on without them.
        carried = []
        photos_lost = bool(request.POST.get("carried_photos"))
    form = ReportForm(request.POST, request.FILES, carried_count=len(carried))
    valid = form.is_valid()
    photos, photo_errors = _photos_of(request, form, carried, photos_lost)

    notice, elapsed = _bot_notice(request)
    valid = valid and not notice

    key = request.POST.get("once", "")
    if valid and not photo_errors:
        if once.is_key(key) and services.draft_spent(key):
            # This form was previewed and sent already (a reload, or Back and Continue again).
            return render(request, "intake/already_sent.html", status=409)
        data = form.report_data()
        return _preview(request, data, photos, services.seal_draft(data, photos, get_language() or "en", key))

    # Show the form again, bound to what was sent, with the photos carried.
    again = request.POST.copy()
    again["carried_photos"] = services.seal_photos(photos)
    again.setlist("keep_photos", [str(i) for i in range(len(photos))])
    again["website"] = ""
    if not once.is_key(key):
        again["once"] = once.new_key()
    if elapsed is None or notice:
        again["started"] = _started_token(settings.HARBOR_MIN_FORM_SECONDS)
    form = ReportForm(again, carried_count=len(photos))
    form.is_valid()
    for message in photo_errors:
        form.add_error("photos", message)
    return _form_page(request, form, status=400, notice=notice)


def _preview(request, data: dict, photos: list[bytes], token: str) -> HttpResponse:
    """The confirmation page, which redacts for each recipient: limited like sends."""
    held = ratelimit.gate(
        request,
        "preview",
        ratelimit.counters(request, "preview", settings.HARBOR_RATE_PREVIEW, settings.HARBOR_RATE_PREVIEW_GLOBAL),
        token,
        count=True,
    )
    if held:
        return _held_page(request, held, "preview", {"draft": token, "action": "resume"})
    return _confirm_page(request, data, len(photos), token)


def _duration(seconds: int) -> str:
    if seconds < 90:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("about %(n)d minute", "about %(n)d minutes", minutes) % {"n": minutes}


HELD = {
    "preview": ("intake:report", gettext_lazy("Continue: check before sending")),
    "send": ("intake:send", gettext_lazy("Send report")),
    "check": ("intake:check", gettext_lazy("Open my report")),
}


def _window(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return _("an hour") if hours == 1 else ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _why_held(kind: str, held: ratelimit.Held) -> str:
    """Why the request is held, as it is: which limit, its number and its window (settings; "Floods")."""
    if kind == "check":
        return _(
            "A lot of receipts have been tried in a short time, so we ask for a short wait before the next one. "
            "The receipt you typed is kept, sealed in this page: you do not need to type it again."
        )
    kept = (
        _("Your report is still here and nothing is lost.")
        if kind == "send"
        else _("Everything you wrote is kept, and nothing is saved yet.")
    )
    by_address = [c for c in held.over if c.scope == "address"]
    counter = by_address[0] if by_address else (held.over[0] if held.over else None)
    if counter is None:
        return kept
    words = {"limit": counter.limit, "window": _window(counter.window)}
    if counter.scope == "address":
        reason = (
            _(
                "More than %(limit)d reports have been sent from this connection in less than %(window)s. "
                "Many people can share one connection, such as a drop-in centre's Wi-Fi, so nobody is refused: "
                "we ask for a short wait before the next one."
            )
            if kind == "send"
            else _(
                "More than %(limit)d reports have been checked from this connection in less than %(window)s. "
                "Many people can share one connection, such as a drop-in centre's Wi-Fi, so nobody is refused: "
                "we ask for a short wait before the next one."
            )
        )
    else:
        reason = (
            _(
                "More than %(limit)d reports have been sent to Harbor, by everyone, in less than %(window)s, "
                "so we ask for a short wait before the next one."
            )
            if kind == "send"
            else _(
                "More than %(limit)d reports have been checked on Harbor, by everyone, in less than %(window)s, "
                "so we ask for a short wait before the next one."
            )
        )
    return f"{reason % words} {kept}"


def _held_page(
    request, held: ratelimit.Held, kind: str, fields: dict[str, str], pending_text: str = ""
) -> HttpResponse:
    """A request held at a rate limit: how long to wait, with everything typed kept (sealed)."""
    url, button = HELD[kind]
    intro = _why_held(kind, held)
    words = {"wait": _duration(held.wait), "button": button}
    if held.reason == "early":
        instruction = _("It is not time yet. Please wait %(wait)s more, then press “%(button)s” again.") % words
    elif held.wait:
        instruction = _("Please wait %(wait)s, then press “%(button)s”.") % words
    else:
        instruction = _("Please press “%(button)s”.") % words
    if held.reason == "refused":
        instruction = _("The waiting time you had was used or too old, so it starts again.") + " " + instruction
    context = {
        "action": reverse(url),
        "button": button,
        "intro": intro,
        "instruction": instruction,
        "held": held.held,
        "wait": held.wait,
        "fields": [*fields.items(), *([("pending_text", pending_text)] if pending_text else [])],
        "pending_text": pending_text,
    }
    response = render(request, "intake/wait.html", context, status=429)
    response["Retry-After"] = str(held.wait)
    return response


def _confirm_page(
    request, data: dict, photo_count: int, token: str, *, notice: str = "", status: int = 200
) -> HttpResponse:
    lang = get_language() or "en"
    return render(
        request,
        "intake/confirm.html",
        {
            "sections": sections_for_display(data),
            "previews": policy_bridge.previews(data, lang),
            "protections": policy_bridge.protections(data, lang),
            "photo_count": photo_count,
            "draft": token,
            "notice": notice,
        },
        status=status,
    )


@require_GET
def rights(request) -> HttpResponse:
    """Know your rights, generated from the jurisdiction packs in force today."""
    return render(request, "intake/rights.html", {"summary": policy_bridge.rights(get_language() or "en")})


@require_POST
def send(request) -> HttpResponse:
    """Store the confirmed report and show its receipt, once."""
    token = request.POST.get("draft", "")
    try:
        draft = services.unseal_draft(token)
    except ExpiredTokenError:
        return render(request, "intake/expired.html", status=400)
    except DecryptionError:
        return render(request, "intake/expired.html", status=400)

    held = ratelimit.gate(
        request,
        "submit",
        ratelimit.counters(request, "submit", settings.HARBOR_RATE_SUBMIT, settings.HARBOR_RATE_SUBMIT_GLOBAL),
        token,
        count=True,
    )
    if held:
        return _held_page(request, held, "send", {"draft": token})
    try:
        report_obj, receipt = services.submit(draft)
    except services.ReplayedDraft:
        return render(request, "intake/already_sent.html", status=409)
    except (DatabaseError, KeyMissingError):
        notice = _(
            "We couldn't save your report just now. Nothing was saved. Please try again in a moment: your report is still here."
        )
        return _confirm_page(request, draft.data, len(draft.photos), token, notice=notice, status=503)
    # Post/Redirect/Get: a reload of the receipt page sends nothing (the receipt crosses sealed).
    key = services.hand_off({"receipt": receipt})
    if key is None:
        return _receipt(request, receipt)
    return _see_other(reverse("intake:sent"), key)


def _see_other(url: str, key: str) -> HttpResponse:
    response = HttpResponseRedirect(f"{url}?h={key}")
    response.status_code = 303
    return response


def _receipt(request, receipt: str) -> HttpResponse:
    return render(
        request, "intake/receipt.html", {"receipt": display(receipt), "receipt_groups": display(receipt).split("-")}
    )


@require_GET
def sent(request) -> HttpResponse:
    """The receipt, once: the page a send redirects to. Shown again, it says it was sent."""
    handed = services.take_hand_off(request.GET.get("h", ""))
    if handed is None or not isinstance(handed.get("receipt"), str):
        return render(request, "intake/already_sent.html")
    return _receipt(request, handed["receipt"])


@require_http_methods(["GET", "POST"])
def done(request) -> HttpResponse:
    return render(request, "intake/done.html")


def _check_page(
    request, opened, *, notice: str = "", message_form=None, consent_form=None, withdraw_form=None, status: int = 200
):
    data = opened.answers()
    consent = data  # her consent answers are among them
    return render(
        request,
        "intake/check_report.html",
        {
            "status": opened.report.status,
            "status_words": STATUS_WORDS.get(opened.report.status, ""),
            "received_at": opened.report.received_at,
            "messages": opened.messages(),
            "sections": sections_for_display(data),
            "photo_count": opened.photos(),
            "shared": shared_with(opened.report),
            "token": services.seal_check(opened),
            "once_message": once.new_key(),
            "once_consent": once.new_key(),
            "once_withdraw": once.new_key(),
            # The page closes itself when its check token expires (a meta refresh, or the script).
            "close_after": settings.HARBOR_CHECK_MAX_AGE,
            "close_minutes": max(1, round(settings.HARBOR_CHECK_MAX_AGE / 60)),
            "notice": notice,
            "message_form": message_form or MessageForm(),
            "consent_form": consent_form
            or ConsentForm(
                initial={
                    "consent": consent.get("consent", []),
                    "consent_share_contact": consent.get("consent_share_contact", ""),
                    "consent_protections": consent.get("consent_protections", ""),
                }
            ),
            "withdraw_form": withdraw_form or WithdrawForm(),
            "errors": error_links(message_form, consent_form, withdraw_form),
        },
        status=status,
    )


def _receipt_page(request, form: ReceiptForm, status: int = 200, notice: str = "", pending_text: str = ""):
    return render(
        request,
        "intake/check.html",
        {"form": form, "notice": notice, "pending_text": pending_text, "errors": error_links(form)},
        status=status,
    )


def _check_get(request) -> HttpResponse:
    """The receipt box; the report once after an action (``h``); or the box again when time is up (``closed``)."""
    if "h" in request.GET:
        return _after_check_action(request)
    if "closed" in request.GET:
        # Where an open report goes by itself when its time is up.
        return _receipt_page(request, ReceiptForm(), notice=_closed_notice())
    return _receipt_page(request, ReceiptForm())


@require_http_methods(["GET", "POST"])
def check(request) -> HttpResponse:
    """Open a report with its receipt. A wrong receipt gets one answer, whether or not it exists."""
    if request.method == "GET":
        return _check_get(request)
    pending_text = request.POST.get("pending_text", "")[:20000]
    attempt = request.POST.get("attempt", "")
    if attempt:
        # Back from the waiting page: the receipt comes sealed, never in the page as typed.
        form = ReceiptForm()
        try:
            typed = services.unseal_attempt(attempt)
        except (DecryptionError, ExpiredTokenError):
            notice = _(
                "For your safety, a receipt you typed is kept for %(minutes)d minutes only. Please type it again."
            ) % {"minutes": services.attempt_max_age() // 60}
            return _receipt_page(request, form, status=400, notice=notice, pending_text=pending_text)
    else:
        form = ReceiptForm(request.POST)
        if not form.is_valid():
            return _receipt_page(request, form, status=400, pending_text=pending_text)
        typed = form.cleaned_data["receipt"]

    def refused(message: str) -> HttpResponse:
        # At the field as typed; above the form when it came sealed (nothing typed to show).
        if form.is_bound:
            form.add_error("receipt", message)
            return _receipt_page(request, form, status=400, pending_text=pending_text)
        return _receipt_page(request, form, status=400, notice=message, pending_text=pending_text)

    try:
        lookup = services.receipt_lookup(typed)
    except InvalidReceiptError:
        return refused(
            _("That receipt isn't complete or has a typo. A receipt has 20 letters and numbers; please check each one.")
        )
    counted = ratelimit.counters(
        request,
        "check_fail",
        settings.HARBOR_RATE_CHECK_FAIL,
        settings.HARBOR_RATE_CHECK_FAIL_PREFIX,
        receipt_lookup=lookup,
    )
    attempt = attempt or services.seal_attempt(typed)
    held = ratelimit.gate(request, "check", counted, attempt, count=False)
    if held:
        return _held_page(request, held, "check", {"attempt": attempt}, pending_text)
    try:
        opened = services.open_with_receipt(typed)
    except services.ReportNotFound:
        ratelimit.hit(counted)
        return refused(_("We couldn't open a report with that receipt. Please check it and try again."))
    message_form = MessageForm(initial={"text": pending_text}) if pending_text else None
    return _check_page(request, opened, message_form=message_form)


def _closed_notice() -> str:
    minutes = max(1, round(settings.HARBOR_CHECK_MAX_AGE / 60))
    return ngettext(
        "For your safety, this page closes after %(n)d minute. Please type your receipt again.",
        "For your safety, this page closes after %(n)d minutes. Please type your receipt again.",
        minutes,
    ) % {"n": minutes}


def _reopen(request):
    """Return the report behind the page's check token, or a response asking for the receipt again."""
    try:
        return services.open_with_check_token(request.POST.get("token", "")), None
    except (DecryptionError, ExpiredTokenError, services.ReportNotFound):
        notice = _closed_notice()
        pending = request.POST.get("text", "")[:20000]
        return None, _receipt_page(request, ReceiptForm(), status=400, notice=notice, pending_text=pending)


DONE_NOTICES = {
    "message": gettext_lazy("Sent. Only the advocates can read it."),
    "consent": gettext_lazy("Your choice is saved."),
}


def _check_done(request, opened, outcome: str) -> HttpResponse:
    """Post/Redirect/Get for /check/: the opened report crosses the redirect sealed (vault/once.py)."""
    key = services.hand_off({"token": services.seal_check(opened), "outcome": outcome})
    if key is None:
        return _check_page(request, opened, notice=str(DONE_NOTICES[outcome]))
    return _see_other(reverse("intake:check"), key)


def _after_check_action(request) -> HttpResponse:
    """The page a /check/ action redirects to: the report with what was done, shown once."""
    handed = services.take_hand_off(request.GET.get("h", ""))
    if handed and handed.get("outcome") in DONE_NOTICES:
        try:
            opened = services.open_with_check_token(str(handed.get("token", "")))
        except (DecryptionError, ExpiredTokenError, services.ReportNotFound):
            opened = None
        if opened is not None:
            return _check_page(request, opened, notice=str(DONE_NOTICES[handed["outcome"]]))
    notice = _(
        "For your safety, this page is shown only once. What you sent was saved. "
        "To see your report again, please type your receipt."
    )
    return _receipt_page(request, ReceiptForm(), notice=notice)


@require_POST
def check_message(request) -> HttpResponse:
    opened, retry = _reopen(request)
    if retry:
        return retry
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _check_page(request, opened, message_form=form, status=400)
    # A message sent twice (a reload, Back and resend) is written once; the answer is the same.
    with contextlib.suppress(services.ReplayedForm):
        services.add_reporter_message(
            opened, form.cleaned_data["text"], form.cleaned_data["kind"], request.POST.get("once", "")
        )
    return _check_done(request, opened, "message")


@require_POST
def check_consent(request) -> HttpResponse:
    opened, retry = _reopen(request)
    if retry:
        return retry
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _check_page(request, opened, consent_form=form, status=400)
    with contextlib.suppress(services.ReplayedForm):
        services.set_consent(
            opened,
            form.cleaned_data["consent"],
            form.cleaned_data["consent_share_contact"],
            form.cleaned_data["consent_protections"],
            request.POST.get("once", ""),
        )
    return _check_done(request, opened, "consent")


@require_POST
def check_withdraw(request) -> HttpResponse:
    if services.form_spent("withdraw", request.POST.get("once", "")):
        # Sent again (a reload, Back and resend): it is erased already; say so again.
        return _erased()
    opened, retry = _reopen(request)
    if retry:
        return retry
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _check_page(request, opened, withdraw_form=form, status=400)
    services.withdraw(opened, request.POST.get("once", ""))
    return _erased()


def _erased() -> HttpResponse:
    response = HttpResponseRedirect(reverse("intake:withdrawn"))
    response.status_code = 303
    return response


@require_GET
def withdrawn(request) -> HttpResponse:
    """Where an erasure redirects to (Post/Redirect/Get): it says what is gone, and names no report."""
    return render(request, "intake/withdrawn.html", {"backup_days": settings.HARBOR_BACKUP_DAYS})
