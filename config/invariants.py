"""What Harbor refuses to run with, shared by the settings and the system checks.

config/settings.py calls :func:`start_problems` at import, so a process that runs no system
checks (gunicorn, the task worker) still refuses to start with a configuration that is unsafe;
vault/checks.py reports the same rules as system checks, so ``manage.py check --deploy`` names
them too. Messages name the variable, never its value: a secret must not reach a log.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MIN_SECRET_BYTES = 32
# OWASP Password Storage Cheat Sheet: Argon2id with at least 19 MiB and 2 passes.
ARGON2_MIN_MEMORY_KIB = 19 * 1024
ARGON2_MIN_ITERATIONS = 2
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
OTP_KEY_RULE = "HARBOR_OTP_KEY and each of HARBOR_OTP_KEY_FALLBACKS must be at least 32 bytes written in hex."


def short_secret(value: str) -> bool:
    """Whether a secret written in hex holds fewer than 32 bytes, or is not hex at all."""
    try:
        return len(bytes.fromhex(value)) < MIN_SECRET_BYTES
    except ValueError:
        return True


def site_url_ok(url: str, *, strict: bool) -> bool:
    """Whether ``url`` is a bare site address: https://host[:port], or http:// for a .onion name.

    Outside development and test (``strict``) plain http is refused for any other host: the
    link in a notification would send a staff login over the network in the clear.
    """
    parts = urlsplit(url)
    if parts.path or parts.query or parts.fragment or not parts.hostname or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and (not strict or parts.hostname.endswith(".onion"))


def weak_argon2(params: dict[str, int]) -> bool:
    """Whether an Argon2id cost is below OWASP's minimum."""
    return params["memory_cost"] < ARGON2_MIN_MEMORY_KIB or params["iterations"] < ARGON2_MIN_ITERATIONS


def start_problems(
    mode: str,
    *,
    debug: bool,
    pepper: str,
    otp_keys: list[str],
    argon2: dict[str, int],
    bench_baseline: bool,
    allowed_hosts: list[str],
) -> list[str]:
    """Return every reason the settings of ``mode`` must not start, one sentence each."""
    problems = []
    if bench_baseline and mode not in ("bench", "test"):
        problems.append(
            "HARBOR_BENCH_BASELINE=True mounts a plaintext intake for benchmarks; "
            "it is refused unless HARBOR_ENV is bench or test."
        )
    if mode not in ("production", "bench"):
        return problems
    if debug:
        problems.append(
            "DEBUG must be False in production: with it on, error pages list every URL, "
            "setting and local variable to whoever asks for a missing page."
        )
    if short_secret(pepper):
        problems.append("HARBOR_RECEIPT_PEPPER must be at least 32 bytes written in hex (64 characters).")
    if any(short_secret(key) for key in otp_keys):
        problems.append(OTP_KEY_RULE)
    if weak_argon2(argon2):
        problems.append(
            "HARBOR_ARGON2_MEMORY_KIB and HARBOR_ARGON2_ITERATIONS must be at least "
            f"{ARGON2_MIN_MEMORY_KIB} (19 MiB) and {ARGON2_MIN_ITERATIONS} (OWASP's minimum for Argon2id)."
        )
    if mode == "bench" and not set(allowed_hosts) <= LOOPBACK_HOSTS:
        problems.append(
            "HARBOR_ENV=bench answers only on loopback: ALLOWED_HOSTS may name 127.0.0.1, localhost or ::1."
        )
    return problems
