"""Response headers checked against the OWASP Secure Headers Project recommendations.

One set of rules for two callers: tests/test_security_headers.py (Django's test
client, in process and in a production-settings subprocess) and scripts/scan.py
(a real gunicorn server). Each function returns a list of problems in words; an
empty list means the response passes. The OWASP values are those of the project's
ci/headers_add.json and ci/headers_remove.json (revision of 2024-09).

Where Harbor departs from the OWASP list, on purpose (docs/security.md says why):

- ``Referrer-Policy: same-origin`` instead of ``no-referrer`` (docs/architecture.md):
  both send nothing to another site, and only same-origin lets forms pass CSRF.
- ``base-uri 'none'`` and ``default-src 'none'`` are stricter than OWASP's ``'self'``.
- No ``upgrade-insecure-requests`` in the CSP: every resource is same-origin and relative,
  and production has HSTS and an HTTPS redirect. No ``block-all-mixed-content`` either:
  it is deprecated and does nothing where there is no mixed content to block.
- ``Permissions-Policy`` denies what could expose a person (sensors, camera, microphone,
  location, payment, USB, ad topics), not OWASP's whole list of 29 features: the rest
  (autoplay, fullscreen, clipboard and the like) are inert on pages without scripts that use them.
- No ``Clear-Site-Data`` at staff logout: every page is ``no-store``, Harbor keeps nothing in
  browser storage, and logout deletes the session and key-unlock cookies itself.
- ``Server: gunicorn`` (no version) is allowed; in production the proxy replaces it.
- Static files may be cached (they hold nothing personal); dynamic pages are ``no-store``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http.cookies import SimpleCookie

HSTS_MIN_SECONDS = 31536000  # one year, OWASP's recommendation
ALLOWED_REFERRER_POLICIES = {"no-referrer", "same-origin"}  # send nothing to any other origin
SENSORS_AND_DEVICES = ("accelerometer", "gyroscope", "magnetometer", "camera", "microphone", "geolocation")
# OWASP's "headers to remove" (ci/headers_remove.json): each names the software, a version or
# the servers behind the site. ``Server`` is handled apart: see header_problems.
LEAKY_HEADERS = tuple(
    """
    $wsep Host-Header K-Proxy-Request Liferay-Portal OracleCommerceCloud-Version Pega-Host Powered-By Product
    SourceMap X-AspNet-Version X-AspNetMvc-Version X-Atmosphere-error X-Atmosphere-first-request
    X-Atmosphere-tracking-id X-B3-ParentSpanId X-B3-Sampled X-B3-SpanId X-B3-TraceId X-BEServer X-CF-Powered-By
    X-CMS X-CalculatedBETarget X-Cocoon-Version X-Content-Encoded-By X-DiagInfo X-Envoy-Attempt-Count
    X-Envoy-External-Address X-Envoy-Internal X-Envoy-Original-Dst-Host X-Envoy-Upstream-Service-Time X-FEServer
    X-Framework X-Generated-By X-Generator X-Jitsi-Release X-Joomla-Version X-Kubernetes-PF-FlowSchema-UI
    X-Kubernetes-PF-PriorityLevel-UID X-LiteSpeed-Cache X-LiteSpeed-Purge X-LiteSpeed-Tag X-LiteSpeed-Vary
    X-Litespeed-Cache-Control X-Mod-Pagespeed X-Nextjs-Cache X-Nextjs-Matched-Path X-Nextjs-Page
    X-Nextjs-Redirect X-OWA-Version X-Old-Content-Length X-OneAgent-JS-Injection X-Page-Speed X-Php-Version
    X-Powered-By X-Powered-By-Plesk X-Powered-CMS X-Redirect-By X-Runtime X-Server-Powered-By X-SourceFiles
    X-SourceMap X-Turbo-Charged-By X-Umbraco-Version X-Varnish-Backend X-Varnish-Server X-Version X-dtAgentId
    X-dtHealthCheck X-dtInjectedServlet X-ruxit-JS-Agent
    """.lower().split()
)
# The three cookies Harbor ever sets.
HARBOR_COOKIES = ("csrftoken", "sessionid", "harbor_unlock")


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def csp_directives(value: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def csp_problems(value: str | None) -> list[str]:
    if not value:
        return ["no Content-Security-Policy"]
    problems = []
    directives = csp_directives(value)
    for word in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"):
        for name, sources in directives.items():
            if word in sources:
                problems.append(f"CSP {name} allows {word}")
    expected = {
        "default-src": ({"'none'"}, {"'self'"}),
        "frame-ancestors": ({"'none'"},),
        "form-action": ({"'self'"},),
        "object-src": ({"'none'"},),
        "base-uri": ({"'none'"}, {"'self'"}),
    }
    for name, allowed in expected.items():
        if name not in directives:
            problems.append(f"CSP has no {name}")
        elif set(directives[name]) not in allowed:
            problems.append(f"CSP {name} is {' '.join(directives[name])!r}")
    script = directives.get("script-src", directives.get("default-src", []))
    if "data:" in script or "blob:" in script:
        problems.append("CSP lets scripts come from data: or blob: URLs")
    return problems


def _expected_value_problems(h: Mapping[str, str]) -> list[str]:
    """Headers that must carry one exact value (compared without case)."""
    problems = []
    for name, wanted in (
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("x-permitted-cross-domain-policies", "none"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        ("cross-origin-embedder-policy", "require-corp"),
    ):
        got = h.get(name)
        if got is None:
            problems.append(f"no {name}")
        elif got.strip().lower() != wanted.lower():
            problems.append(f"{name} is {got!r}, not {wanted!r}")
    return problems


def _policy_problems(h: Mapping[str, str]) -> list[str]:
    """Referrer-Policy sends nothing elsewhere; Permissions-Policy denies the sensors and devices."""
    problems = []
    referrer = h.get("referrer-policy", "").strip().lower()
    if referrer not in ALLOWED_REFERRER_POLICIES:
        problems.append(f"referrer-policy is {referrer!r}, not one of {sorted(ALLOWED_REFERRER_POLICIES)}")
    permissions = {part.strip() for part in h.get("permissions-policy", "").split(",")}
    problems += [
        f"permissions-policy does not deny {feature}"
        for feature in SENSORS_AND_DEVICES
        if f"{feature}=()" not in permissions
    ]
    return problems


def _cache_problems(h: Mapping[str, str], *, static: bool) -> list[str]:
    """Dynamic pages are never stored; static files are never marked private."""
    problems = []
    cache = h.get("cache-control", "").lower()
    if not static and "no-store" not in cache:
        problems.append(f"cache-control is {cache!r}, without no-store")
    if "private" in cache and static:
        problems.append("a static file marked private")
    return problems


def _disclosure_problems(h: Mapping[str, str]) -> list[str]:
    """Headers that open the response to other sites or name the software behind it."""
    problems = []
    if h.get("access-control-allow-origin"):
        problems.append(f"access-control-allow-origin is {h['access-control-allow-origin']!r}")
    if h.get("x-xss-protection", "0").strip() != "0":
        problems.append(f"x-xss-protection is {h['x-xss-protection']!r}: OWASP says leave it out or send 0")
    server = h.get("server", "")
    if any(c.isdigit() for c in server):
        problems.append(f"server header names a version: {server!r}")
    problems += [f"{name} is sent" for name in LEAKY_HEADERS if name in h]
    return problems


def _hsts_problems(h: Mapping[str, str]) -> list[str]:
    """Strict-Transport-Security for at least a year, subdomains included."""
    hsts = h.get("strict-transport-security")
    if not hsts:
        return ["no strict-transport-security over HTTPS"]
    problems = []
    parts = [p.strip().lower() for p in hsts.split(";")]
    ages = [int(p.split("=", 1)[1]) for p in parts if p.startswith("max-age=") and p[8:].isdigit()]
    if not ages or ages[0] < HSTS_MIN_SECONDS:
        problems.append(f"strict-transport-security max-age under a year: {hsts!r}")
    if "includesubdomains" not in parts:
        problems.append(f"strict-transport-security without includeSubDomains: {hsts!r}")
    return problems


def header_problems(headers: Mapping[str, str], *, static: bool = False, https: bool = False) -> list[str]:
    """What is missing or too weak in one response's headers.

    ``static``: a file served by WhiteNoise (it may be cached). ``https``: the
    response was served over HTTPS in production, so HSTS must be there.
    """
    h = _lower(headers)
    return (
        _expected_value_problems(h)
        + csp_problems(h.get("content-security-policy"))
        + _policy_problems(h)
        + _cache_problems(h, static=static)
        + _disclosure_problems(h)
        + (_hsts_problems(h) if https else [])
    )


def cookie_problems(set_cookie_headers: Iterable[str], *, https: bool = False) -> list[str]:
    """HttpOnly and SameSite=Strict on every cookie; Secure too when served over HTTPS.

    ``set_cookie_headers``: the raw values of every Set-Cookie header of a response.
    """
    problems = []
    for raw in set_cookie_headers:
        jar: SimpleCookie = SimpleCookie()
        jar.load(raw)
        for name, morsel in jar.items():
            if not morsel.value and str(morsel["max-age"]) == "0":
                continue  # a deletion: empty and already expired
            if name not in HARBOR_COOKIES:
                problems.append(f"unexpected cookie {name!r}")
            if not morsel["httponly"]:
                problems.append(f"cookie {name} is not HttpOnly")
            if str(morsel["samesite"]).lower() != "strict":
                problems.append(f"cookie {name} has SameSite={morsel['samesite']!r}, not Strict")
            if https and not morsel["secure"]:
                problems.append(f"cookie {name} is not Secure over HTTPS")
    return problems
