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

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from config.timing import server_timing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


if settings.HARBOR_ENV == "bench":
    application = server_timing(application)

from intake import warmup  # noqa: E402 - after Django is set up

warmup.warm(application)
