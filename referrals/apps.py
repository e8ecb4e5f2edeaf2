from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """Referrals: consent-checked, policy-stripped, encrypted to the recipient organisation."""

    name = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from referrals import signals  # noqa: F401 - connects consent enforcement
