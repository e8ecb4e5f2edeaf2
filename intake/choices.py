"""The codes of every choice on the report form, with their plain-language labels.

The codes are the contract with the policy catalogue (docs/intake-fields.md).
"""

from django.utils.translation import gettext_lazy as _

from policy.catalogue import default_catalogue

CRIME_TYPES = [
    ("sexual_assault", _("Sexual assault or rape")),
    ("physical_assault", _("Physical assault (hit, choked, hurt)")),
    ("robbery", _("Robbery (something taken by force or threat)")),
    ("stalking", _("Stalking or being followed")),
    ("threats_extortion", _("Threats, blackmail or extortion")),
    ("trafficking", _("Human trafficking, or being held or forced")),
    ("kidnapping", _("Kidnapping")),
    ("burglary", _("Break-in (burglary)")),
    ("other_violence", _("Other violence")),
]
ROLES = [("victim", _("It happened to me")), ("witness", _("I saw it happen to someone else"))]
PERP_COUNT = [
    ("one", _("One person")),
    ("two", _("Two people")),
    ("several", _("More than two")),
    ("unknown", _("I don't know")),
]
PERP_RELATIONSHIP = [
    ("stranger", _("A stranger")),
    ("acquaintance", _("Someone I had met before")),
    ("client", _("A client")),
    ("partner_or_ex", _("A partner or ex-partner")),
    ("family", _("Family")),
    ("manager_or_third_party", _("Someone who manages or controls my work")),
    ("other", _("Someone else")),
    ("unknown", _("I don't know")),
]
PERP_AUTHORITY = [
    ("no", _("No")),
    ("police", _("Yes, police")),
    ("security", _("Yes, security or a guard")),
    ("unsure", _("I'm not sure")),
]
YES_NO_UNSURE = [("yes", _("Yes")), ("no", _("No")), ("unsure", _("I'm not sure"))]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
NEEDS = [
    ("medical", _("Medical care")),
    ("shelter", _("A safe place to stay")),
    ("legal", _("Legal help")),
    ("counselling", _("Someone to talk to (counselling)")),
    ("immigration_legal", _("Immigration legal help")),
    ("safety_planning", _("Help making a safety plan")),
    ("record_only", _("Nothing now, I just want it recorded")),
]
WORKING = [("yes", _("Yes")), ("no", _("No")), ("prefer_not", _("I'd rather not say"))]
IMMIGRATION = [
    ("citizen", _("Citizen")),
    ("permanent_resident", _("Permanent resident")),
    ("visa", _("On a visa")),
    ("undocumented", _("Undocumented")),
    ("prefer_not", _("I'd rather not say")),
]
CONTACT_METHODS = [
    ("none", _("Don't contact me. I'll check back with my receipt.")),
    ("signal", _("Signal")),
    ("phone", _("Phone call or text")),
    ("email", _("Email")),
]
CONSENT = [
    ("record_only", _("Only record it. Share it with no one.")),
    ("victim_services", _("Victim services (help with safety, costs, court)")),
    ("health_org", _("A health or community organisation")),
    ("police_via_advocate", _("The police, through an advocate who stays with me")),
    ("peer_alert", _("An anonymous safety warning to other workers about the person who did it")),
]

# The sections of the form, each listing its field ids in display order. The field catalogue
# (policy/data/catalogue.toml) is the one place that names the sections and puts each field in
# one: the stored Section rows (intake.services.REPORT_SECTIONS), the keys that encrypt them
# (vault.envelope.SECTIONS) and the referral's input all follow from it.
FORM_SECTIONS: dict[str, list[str]] = {
    section: [f.id for f in default_catalogue() if f.section == section] for section in default_catalogue().sections
}
