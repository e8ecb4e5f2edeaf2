"""Bench mode's Server-Timing header (``HARBOR_ENV=bench`` only; config/wsgi.py).

Each answer carries ``Server-Timing: app;dur=<ms>``: the milliseconds from the WSGI call to the
status line, so `make bench` measures the server and not the client, the loopback connection or
the machine's other processes between requests (docs/benchmarks.md). Production never sends it:
how long a request took is not the client's business.
"""

from __future__ import annotations

import time


def server_timing(app):
    """Wrap a WSGI application so that each answer says how long the server spent on it."""

    def timed_application(environ, start_response):
        started = time.perf_counter()

        def timed_start_response(status, headers, exc_info=None):
            ms = (time.perf_counter() - started) * 1000
            return start_response(status, [*headers, ("Server-Timing", f"app;dur={ms:.2f}")], exc_info)

        return app(environ, timed_start_response)

    return timed_application
