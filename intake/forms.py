"""The report form: one page of sections, every field optional but what the crime needs.

Validation and limits live here (style.md rule 8); the view only routes.
"""

from __future__ import annotations

import datetime
from typing import cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from intake import choices as c
from intake.errors import use_reporter_errors
from intake.fields import ImagesField, MultipleImageInput, TextField

DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I %p"]

# Fields on the form that are not part of the report itself.
NARRATIVE_LIMIT = 50000

CONTROL_FIELDS = {"website", "started", "photos", "carried_photos", "keep_photos", "once"}


def _note(text) -> HTML:
    return HTML('<p class="form-text section-note">' + escape(str(text)) + "</p>")


def typed_date_formats(lang: str) -> list[str]:
    """The ways a date is typed in a language: day first (Spanish, Vietnamese, Thai), year first
    (Chinese, Korean), month first (English; Tagalog, as the Philippines writes it)."""
    if lang in ("es", "vi", "th"):
        return ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"]
    if lang in ("zh-hant", "zh-hans", "ko"):
        return ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y. %m. %d", "%Y. %m. %d."]
    return ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"]


class ReportForm(forms.Form):
    # incident
    crime_types = forms.MultipleChoiceField(
        label=_("What happened? Choose all that fit."),
        choices=c.CRIME_TYPES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose at least one thing that happened, so we know how to help.")},
    )
    crime_other = TextField(label=_("If it was something else, what was it?"))
    role = forms.ChoiceField(
        label=_("Did it happen to you, or did you see it?"),
        choices=c.ROLES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please tell us whether it happened to you or you saw it.")},
    )
    incident_date = forms.DateField(
        label=_("Date it happened, if you know it"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": _("We couldn't read that date. You can write it like 2026-03-14, or describe it below.")
        },
    )
    incident_time = forms.TimeField(
        label=_("Time, if you know it"),
        required=False,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("We couldn't read that time. You can write it like 23:30, or describe it below.")},
    )
    when_approx = TextField(label=_("Or roughly when"), help_text=_("For example: “last week, late at night”."))
    area = TextField(label=_("Where: the area"), help_text=_("A neighbourhood, a city, or near which streets."))
    place_precise = TextField(
        label=_("The exact place, if you want to say"),
        help_text=_("Stays with the advocates. Only the area is ever shared."),
    )
    perp_count = forms.ChoiceField(
        label=_("How many people did it?"), choices=c.PERP_COUNT, widget=forms.RadioSelect, required=False
    )
    perp_relationship = forms.ChoiceField(
        label=_("Who was it to you?"), choices=c.PERP_RELATIONSHIP, widget=forms.RadioSelect, required=False
    )
    perp_is_authority = forms.ChoiceField(
        label=_("Were they police, or security?"), choices=c.PERP_AUTHORITY, widget=forms.RadioSelect, required=False
    )
    perp_description = TextField(
        long=True,
        label=_("What did they look like?"),
        help_text=_("Height, build, hair, clothes, tattoos, voice — anything you remember."),
    )
    perp_name = TextField(label=_("A name or online handle they used"))
    perp_phone = TextField(label=_("A phone number they used"))
    perp_vehicle = TextField(label=_("Their vehicle"), help_text=_("Make, colour, any part of the plate."))
    # harm
    injured = forms.ChoiceField(
        label=_("Were you hurt?"), choices=c.YES_NO_UNSURE, widget=forms.RadioSelect, required=False
    )
    injuries = TextField(long=True, label=_("What are your injuries?"))
    safe_now = forms.ChoiceField(
        label=_("Are you safe now?"), choices=c.YES_NO_UNSURE, widget=forms.RadioSelect, required=False
    )
    reporter_under_18 = forms.ChoiceField(
        label=_("Are you under 18?"), choices=c.YES_NO, widget=forms.RadioSelect, required=False
    )
    # needs
    needs = forms.MultipleChoiceField(
        label=_("What would help you now?"), choices=c.NEEDS, widget=forms.CheckboxSelectMultiple, required=False
    )
    needs_other = TextField(label=_("Anything else you need"))
    # narrative
    narrative = TextField(
        long=True,
        max_length=NARRATIVE_LIMIT,
        label=_("What happened, in your words"),
        help_text=_(
            "Write as much or as little as you like. Nothing you write here is shared unless an advocate has read it "
            "and chosen to include it. Harbor takes out words it recognises as risky for you, and the advocate can "
            "take out more, never add."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "max_length": _(
                "This is longer than we can take (%(limit_value)d characters; you wrote %(show_value)d). "
                "Please shorten it, or send the rest later as a message with your receipt."
            )
        },
    )
    # sensitive
    ctx_working = forms.ChoiceField(
        label=_("Were you working when it happened?"), choices=c.WORKING, widget=forms.RadioSelect, required=False
    )
    ctx_payment = TextField(long=True, label=_("Was money or payment part of it?"))
    ctx_drugs = TextField(long=True, label=_("Were drugs or alcohol part of it, for you?"))
    ctx_weapon = TextField(long=True, label=_("Did you carry anything to protect yourself?"))
    ctx_immigration = forms.ChoiceField(
        label=_("Your immigration status"), choices=c.IMMIGRATION, widget=forms.RadioSelect, required=False
    )
    ctx_legal = TextField(long=True, label=_("Any legal worries (warrants, probation)?"))
    ctx_notes = TextField(long=True, label=_("Anything else only the advocates should know"))
    # contact
    reporter_name = TextField(label=_("A name we can call you"), help_text=_("It can be made up."))
    contact_method = forms.ChoiceField(
        label=_("How can an advocate reach you safely?"),
        choices=c.CONTACT_METHODS,
        widget=forms.RadioSelect,
        required=False,
    )
    contact_signal = TextField(label=_("Signal number or username"))
    contact_phone = TextField(label=_("Phone number"))
    contact_email = TextField(label=_("Email address"))
    contact_safe_times = TextField(label=_("When is it safe to contact you?"))
    contact_leave_message = forms.ChoiceField(
        label=_("May we leave a message?"), choices=c.YES_NO, widget=forms.RadioSelect, required=False
    )
    # consent
    consent = forms.MultipleChoiceField(
        label=_("Who may the advocates share this with?"),
        help_text=_("Nothing is shared without your choice. You can change this later with your receipt."),
        choices=c.CONSENT,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent_share_contact = forms.ChoiceField(
        label=_("May they also give the people you chose a way to contact you?"),
        choices=c.YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    consent_protections = forms.ChoiceField(
        label=_("Should victim services be reminded of the protections for people who report?"),
        help_text=_(
            "Some places have promised not to arrest or charge a person who reports a violent crime "
            "for sex work or a small drug offence. If you say yes, what victim services receive will name "
            "these promises, and so will say that they may apply to you. If you say no or leave it empty, "
            "they are not mentioned. You can change this later with your receipt."
        ),
        choices=c.YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    # attachments and flood control
    photos = ImagesField(
        label=_("Photos (optional)"),
        help_text=_("Injuries, or screenshots of threats. JPEG, PNG or WebP. Location and camera details are removed."),
        widget=MultipleImageInput(attrs={"multiple": True, "accept": "image/jpeg,image/png,image/webp"}),
    )
    carried_photos = forms.CharField(required=False, widget=forms.HiddenInput)
    keep_photos = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Photos already added")
    )
    website = forms.CharField(required=False, label=_("Leave this empty"))  # honeypot, hidden by CSS
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    # The form's one-time key (vault/once.py): a report is sent at most once from one form.
    once = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, carried_count: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        # Typed dates (no date picker) are read the way the reader's language writes them.
        incident_date = cast(forms.DateField, self.fields["incident_date"])
        incident_date.input_formats = typed_date_formats(get_language() or "en")
        self._say_the_narrative_limit()
        keep_photos = cast(forms.MultipleChoiceField, self.fields["keep_photos"])
        keep_photos.choices = [(str(i), _("Photo %(n)d") % {"n": i + 1}) for i in range(carried_count)]
        use_reporter_errors(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("What happened"), "crime_types", "crime_other", "role", css_id="s-what"),
            Fieldset(
                _("When and where"),
                Div(
                    Div("incident_date", css_class="col-sm-6"),
                    Div("incident_time", css_class="col-sm-6"),
                    css_class="row",
                ),
                "when_approx",
                "area",
                "place_precise",
                css_id="s-when",
            ),
            Fieldset(
                _("Who did it"),
                "perp_count",
                "perp_relationship",
                "perp_is_authority",
                "perp_description",
                "perp_name",
                "perp_phone",
                "perp_vehicle",
                css_id="s-who",
            ),
            Fieldset(_("Injuries and safety"), "injured", "injuries", "safe_now", "reporter_under_18", css_id="s-harm"),
            Fieldset(_("What you need"), "needs", "needs_other", css_id="s-needs"),
            Fieldset(_("In your words"), "narrative", HTML(self._narrative_counter()), css_id="s-story"),
            Fieldset(
                _("Context — stays with the advocates, never shared"),
                _note(
                    _(
                        "You don't have to answer these. Advocates use them to help you and to know what to leave out. These answers are never shared with anyone, whatever you choose below."
                    )
                ),
                "ctx_working",
                "ctx_payment",
                "ctx_drugs",
                "ctx_weapon",
                "ctx_immigration",
                "ctx_legal",
                "ctx_notes",
                css_id="s-private",
                css_class="private-section",
            ),
            Fieldset(
                _("How to reach you"),
                _note(_("Leave this empty if you prefer: you can read replies with your receipt.")),
                "reporter_name",
                "contact_method",
                "contact_signal",
                "contact_phone",
                "contact_email",
                "contact_safe_times",
                "contact_leave_message",
                css_id="s-contact",
            ),
            Fieldset(
                _("Who may see it"), "consent", "consent_share_contact", "consent_protections", css_id="s-consent"
            ),
            Fieldset(
                _("Photos"), "photos", *(["keep_photos"] if carried_count else []), "carried_photos", css_id="s-photos"
            ),
            Div(Field("website", autocomplete="off", tabindex="-1"), css_class="hp"),
            "started",
            "once",
        )

    def _say_the_narrative_limit(self) -> None:
        """Say the narrative's limit before she reaches it, and let nothing cut it silently.

        A ``maxlength`` would make the browser cut a pasted text at the limit without a word, so
        the box has none: the help says the limit, a script counts near it, and past it the
        server refuses kindly, keeping every character.
        """
        field = self.fields["narrative"]
        field.widget.attrs.pop("maxlength", None)
        field.widget.attrs.update({"data-limit": str(NARRATIVE_LIMIT), "data-counter": "narrative-counter"})
        field.help_text = f"{field.help_text} " + gettext(
            "You can write up to %(limit)s characters here (about %(pages)d pages). If you paste more, nothing "
            "is cut: you will be asked to shorten it, or to send the rest later as a message with your receipt."
        ) % {"limit": number_format(NARRATIVE_LIMIT, force_grouping=True), "pages": NARRATIVE_LIMIT // 2000}

    @staticmethod
    def _narrative_counter() -> str:
        limit = number_format(NARRATIVE_LIMIT, force_grouping=True)
        left = gettext("%(n)s characters left before the limit of %(limit)s.") % {"n": "%(n)s", "limit": limit}
        over = gettext(
            "%(n)s characters over the limit of %(limit)s. Nothing is cut: please shorten it, or send the rest "
            "later as a message with your receipt."
        ) % {"n": "%(n)s", "limit": limit}
        return (
            f'<p id="narrative-counter" class="form-text narrative-counter" aria-live="polite" hidden '
            f'data-text-left="{escape(left)}" data-text-over="{escape(over)}"></p>'
        )

    def clean_incident_date(self):
        value = self.cleaned_data.get("incident_date")
        if value:
            today = timezone.localdate()
            if value > today + datetime.timedelta(days=1):
                raise forms.ValidationError(_("That date is in the future. Please check it, or leave it empty."))
            if value.year < 1950:
                raise forms.ValidationError(_("That date looks too far back. Please check it."))
        return value

    def clean_contact_email(self):
        value = self.cleaned_data.get("contact_email")
        if value:
            try:
                validate_email(value)
            except forms.ValidationError:
                raise forms.ValidationError(_("That doesn't look like an email address. Please check it.")) from None
        return value

    def clean_consent(self):
        value = self.cleaned_data.get("consent") or []
        if "record_only" in value and len(value) > 1:
            raise forms.ValidationError(
                _("You chose “Only record it” and also someone to share with. Please choose one or the other.")
            )
        return value

    def clean(self):
        data = super().clean()
        method = data.get("contact_method")
        needed = {"signal": "contact_signal", "phone": "contact_phone", "email": "contact_email"}.get(method or "")
        if needed and not data.get(needed) and needed not in self.errors:
            self.add_error(needed, _("Add this so we can reach you, or choose another way above."))
        if len(data.get("photos") or []) > settings.HARBOR_MAX_IMAGES:
            self.add_error("photos", _("Please choose at most %(n)d photos.") % {"n": settings.HARBOR_MAX_IMAGES})
        return data

    def report_data(self) -> dict:
        """Return the report's fields as the policy engine sees them: ids to plain values."""
        out = {}
        for name, cleaned in self.cleaned_data.items():
            if name in CONTROL_FIELDS or cleaned in (None, "", []):
                continue
            if isinstance(cleaned, datetime.date):
                out[name] = cleaned.isoformat()
            elif isinstance(cleaned, datetime.time):
                out[name] = cleaned.strftime("%H:%M")
            else:
                out[name] = cleaned
        return out


class ReporterForm(forms.Form):
    """A form a reporter fills in: every error it can show is Harbor's own, in her language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_reporter_errors(self)


class ReceiptForm(ReporterForm):
    receipt = forms.CharField(
        label=_("Your receipt"),
        max_length=100,
        help_text=_("20 letters and numbers. Spaces, dashes and small letters are fine."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("Please type your receipt.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class MessageForm(ReporterForm):
    text = TextField(
        long=True,
        max_length=20000,
        label=_("Add details or write to the advocates"),
        required=True,
        error_messages={"required": _("The message is empty.")},
    )
    kind = forms.ChoiceField(
        choices=[("message", "message"), ("details", "details")], initial="message", widget=forms.HiddenInput
    )


class ConsentForm(ReporterForm):
    consent = ReportForm.base_fields["consent"]
    consent_share_contact = ReportForm.base_fields["consent_share_contact"]
    consent_protections = ReportForm.base_fields["consent_protections"]
    clean_consent = ReportForm.clean_consent


class WithdrawForm(ReporterForm):
    confirm = forms.BooleanField(
        label=_("Yes, erase my report and everything in it. This cannot be undone."),
        error_messages={"required": _("Tick the box if you are sure.")},
    )
