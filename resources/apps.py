from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    """Hotlines and services the organisation points people to, shown on the reporter's pages."""

    name = "resources"
    default_auto_field = "django.db.models.BigAutoField"
