"""The WSGI application gunicorn serves.

Loading it also warms the process (intake.warmup): the redactor's lexicons and patterns are
compiled and the policy packs read here, at worker start (or once in gunicorn's master, with
``preload_app``), so the first reporter a fresh worker serves does not wait for them.

In bench mode only (``HARBOR_ENV=bench``, `make bench`) each answer carries a ``Server-Timing``
header with the milliseconds the server spent on it (from the WSGI call to its status line),
so the benchmarks measure the server, not the client or the machine's other processes between
requests. Production never sends it: how long a request took is not the client's business.
"""

import os
import time

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _timed(app):
    def timed_application(environ, start_response):
        started = time.perf_counter()

        def timed_start_response(status, headers, exc_info=None):
            ms = (time.perf_counter() - started) * 1000
            return start_response(status, [*headers, ("Server-Timing", f"app;dur={ms:.2f}")], exc_info)

        return app(environ, timed_start_response)

    return timed_application


if settings.HARBOR_ENV == "bench":
    application = _timed(application)

from intake import warmup  # noqa: E402 - after Django is set up

warmup.warm()
