"""Warm a process before it serves anyone: the first preview must not pay for start-up.

The confirmation page redacts the reporter's free text for each recipient she chose. In a
fresh process that first redaction compiles every lexicon and pattern of the redactor and
reads the policy packs and profiles: about three seconds on the benchmark machine, paid by
whoever happened to be the worker's first reporter. ``warm()`` pays it at start instead:
config/wsgi.py calls it when the application is loaded, which under gunicorn's
``preload_app`` (config/gunicorn.conf.py) is once in the master, before the workers fork
and before the port is opened. The same goes for the first page a reporter asks for (the
form: its templates and their translations): the warm-up GETs the reporter's first pages
through the application itself.

It leaves no database connection open (one made in the master would be shared by every
forked worker: they are closed), writes nothing and keeps nothing of the sample text: the
sample is made up here, redacted and dropped.
"""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template.loader import get_template
from django.utils import translation

from policy import freetext

# A made-up report in English and Spanish, every free-text field filled, so that every
# detector and flag pattern the preview can reach is compiled and every profile is built.
_NARRATIVE = (
    "I was working near 16th and Mission when a client in a grey car paid me 80 and then hit me. "
    "He took my phone and the money. I had some crystal on me so I did not call the police. "
    "Text me at 415 555 0100 or write to someone@example.org.\n\n"
    "Estaba trabajando en la calle cuando un cliente me pagó y luego me golpeó. No tengo papeles. "
    "Me quitó el teléfono; mi número es 55 1234 5678."
)

_TEMPLATES = (
    "intake/landing.html",
    "intake/report.html",
    "intake/confirm.html",
    "intake/receipt.html",
    "intake/check.html",
    "intake/check_report.html",
    "intake/wait.html",
)


def _sample() -> dict:
    return {
        "crime_types": ["robbery", "physical_assault"],
        "role": "victim",
        "area": "Mission District",
        "place_precise": "behind the motel on 16th",
        "perp_count": "one",
        "perp_relationship": "client",
        "perp_description": "white man, about forty, grey beard, Raiders cap",
        "perp_vehicle": "grey Nissan, plate starts 6TR",
        "perp_name": "calls himself Mike",
        "perp_phone": "415 555 0101",
        "injured": "yes",
        "injuries": "split lip, swollen wrist",
        "safe_now": "unsure",
        "needs": ["medical", "legal"],
        "needs_other": "a new phone",
        "narrative": _NARRATIVE,
        "ctx_working": "yes",
        "ctx_notes": "my name is Ana",
        "reporter_name": "Ana",
        "contact_method": "phone",
        "contact_phone": "415 555 0102",
        "consent": ["victim_services", "health_org", "police_via_advocate", "peer_alert"],
        "consent_share_contact": "yes",
    }


_WORD = re.compile(r"[^\W\d_]{2,}")
_POLICY = Path(freetext.__file__).resolve().parent


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def vocabulary() -> str:
    """Words the redactor is built from and the site's own prose, one sentence each.

    The redactor prepares its patterns lazily, for the first word that reaches each of them
    (policy/redact.py, "dispatch"). Its own lexicons name the words that reach them; the
    Spanish catalogue (English and Spanish prose about crimes, needs and safety) adds the
    everyday words around them. Neither is anyone's report.
    """
    texts: list[str] = []
    for path in sorted((_POLICY / "lexicon").glob("*.toml")) + [_POLICY / "data" / "phrases.toml"]:
        with path.open("rb") as f:
            texts.extend(_strings(tomllib.load(f)))
    catalogue = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
    if catalogue.exists():
        texts.extend(re.findall(r'^msg(?:id|str) "(.*)"$', catalogue.read_text("utf-8"), re.MULTILINE))
    words = dict.fromkeys(w.lower() for text in texts for w in _WORD.findall(text))
    line: list[str] = []
    out: list[str] = []
    for word in words:
        line.append(word)
        if len(line) == 12:
            out.append(" ".join(line) + ".")
            line = []
    out.append(" ".join(line) + ".")
    return "\n".join(out)


_PAGES = ("/", "/report/", "/check/", "/es/", "/es/report/", "/es/check/")


def _get_pages(application) -> list[str]:
    """GET the reporter's first pages through ``application`` itself (every middleware, the
    templates, the form, both languages); return the paths that did not answer 200.

    No socket, no client: a WSGI call in this process, from a documentation address
    (192.0.2.1, RFC 5737). A GET of these pages counts no rate limit and stores nothing.
    """
    import io

    host = next((h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"), "localhost")
    failed = []
    status: list[str] = []

    def start_response(line, headers, exc_info=None):
        status.append(line)

    for path in _PAGES:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": host,
            "SERVER_PORT": "443",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "192.0.2.1",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": io.StringIO(),
            "wsgi.url_scheme": "https",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if settings.SECURE_PROXY_SSL_HEADER:
            environ[settings.SECURE_PROXY_SSL_HEADER[0]] = settings.SECURE_PROXY_SSL_HEADER[1]
        status.clear()
        try:
            body = application(environ, start_response)
            for _chunk in body:
                pass
            if hasattr(body, "close"):
                body.close()
        except Exception:  # noqa: BLE001 - a warm-up that fails must not stop the server starting
            status.clear()
        if not status or not status[0].startswith("200"):
            failed.append(path)
    return failed


def warm(application=None) -> None:
    """Compile the redactor, load the policy data and templates the reporter's pages use, and
    (given the WSGI ``application``) serve their first pages once, in this process.

    Database connections opened on the way are closed: a forked worker opens its own.
    """
    from intake import policy_bridge
    from intake.presenters import sections_for_display

    policy_bridge.packs()
    policy_bridge.profiles()
    data = _sample()
    for lang in ("en", "es"):
        with translation.override(lang):
            policy_bridge.previews(data, lang)
            policy_bridge.protections(data, lang)
            policy_bridge.summaries(lang)
            sections_for_display(data)
    for name in _TEMPLATES:
        get_template(name)
    # Every lexicon runs on every text (policy.freetext.ALL_LANGUAGES): one pass is enough.
    freetext.redact_free_text(vocabulary(), known=("Ana", "415 555 0102"))
    if application is not None:
        failed = _get_pages(application)
        if failed:
            logging.getLogger(__name__).warning("warm-up: %s did not answer 200", ", ".join(failed))
    connections.close_all()
