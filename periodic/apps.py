from django.apps import AppConfig


class PeriodicConfig(AppConfig):
    name = "periodic"
    default_auto_field = "django.db.models.BigAutoField"
