from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from config import views
from config.languages import ENGLISH_LANDING
from intake import views as intake_views

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.not_found"
handler500 = "config.views.server_error"

# The reporter's pages live under a language prefix (none for English, /es/
# for Spanish) so switching language is a plain link: no cookie, no script.
urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    # The English landing page where `/` would send a first visit to the browser's language
    # (config.languages.FirstVisitLanguageMiddleware): the switcher's "English" goes here.
    path(ENGLISH_LANDING.strip("/") + "/", intake_views.landing, name="landing_en"),
    path("staff/", include("casework.urls")),
    path("staff/", include("referrals.urls")),
    path("staff/", include("resources.urls")),
    path("", include("referrals.public_urls")),
]
if settings.HARBOR_BENCH_BASELINE:
    urlpatterns.append(path("bench/", include("bench.baseline.urls")))
    urlpatterns.append(path("staff/bench/", include("bench.baseline.staff_urls")))
urlpatterns += i18n_patterns(
    path("", include("intake.urls")),
    prefix_default_language=False,
)
