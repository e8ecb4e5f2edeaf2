from django.apps import AppConfig


class BaselineConfig(AppConfig):
    """A plaintext twin of the intake, installed only for `make bench`.

    It exists so the cost of encryption is measured against the same server
    doing the same work without it. HARBOR_BENCH_BASELINE=True installs it;
    it is never installed otherwise.
    """

    name = "bench.baseline"
    label = "bench_baseline"
    default_auto_field = "django.db.models.BigAutoField"
