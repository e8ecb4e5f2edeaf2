"""Harbor settings, read from the environment and failing closed.

HARBOR_ENV chooses the mode: ``production`` (the default, so a forgotten
variable never silently weakens a real deployment), ``development`` (``make
run``: SQLite, generated secrets kept in var/dev-secrets.json), ``test``
(pytest: fixed throwaway secrets, fast key derivation) or ``bench`` (``make
bench``: production settings on loopback, plus the plaintext baseline).
Outside development and test, an unsafe value stops the import with every
problem listed (config/invariants.py), since gunicorn runs no system checks.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import dj_database_url
import django.conf.locale
from django.utils.csp import CSP

from config.env import ConfigError, env, envbool, envint, envlist, required
from config.invariants import LOOPBACK_HOSTS, site_url_ok, start_problems

BASE_DIR = Path(__file__).resolve().parent.parent

HARBOR_ENV = env("HARBOR_ENV", "production")
if HARBOR_ENV not in ("production", "development", "test", "bench"):
    raise ConfigError(f"HARBOR_ENV must be production, development, test or bench, not {HARBOR_ENV!r}")
DEVELOPMENT = HARBOR_ENV == "development"
TESTING = HARBOR_ENV == "test"


def _dev_secrets() -> dict[str, str]:
    """Create once, then reuse, the secrets of a development checkout.

    Regenerating them at each start would make yesterday's reports unreadable.
    """
    path = BASE_DIR / "var" / "dev-secrets.json"
    values = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    makers = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(50),
        "HARBOR_RECEIPT_PEPPER": lambda: secrets.token_hex(32),
        "HARBOR_AUDIT_KEY": lambda: secrets.token_hex(32),
        "HARBOR_OTP_KEY": lambda: secrets.token_hex(32),
    }
    missing = {name: make() for name, make in makers.items() if name not in values}
    if missing:  # a new checkout, or one older than a secret added since
        values.update(missing)
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
        path.chmod(0o600)
    return values


if DEVELOPMENT:
    _defaults = _dev_secrets()
elif TESTING:
    # Throwaway values for the test suite only; production never reads these.
    _defaults = {
        "SECRET_KEY": "test-only-secret-key-" + "x" * 40,
        "HARBOR_RECEIPT_PEPPER": "11" * 32,
        "HARBOR_AUDIT_KEY": "a7" * 32,
        "HARBOR_OTP_KEY": "22" * 32,
    }
else:
    _defaults = {}

SECRET_KEY = env("SECRET_KEY") or _defaults.get("SECRET_KEY") or required("SECRET_KEY")
HARBOR_RECEIPT_PEPPER = (
    env("HARBOR_RECEIPT_PEPPER") or _defaults.get("HARBOR_RECEIPT_PEPPER") or required("HARBOR_RECEIPT_PEPPER")
)
# Seals staff TOTP seeds and keys recovery-code hashes (vault/otp.py); old keys stay in the fallbacks while they rotate.
HARBOR_OTP_KEY = env("HARBOR_OTP_KEY") or _defaults.get("HARBOR_OTP_KEY") or required("HARBOR_OTP_KEY")
HARBOR_OTP_KEY_FALLBACKS = envlist("HARBOR_OTP_KEY_FALLBACKS", [])

# The audit chain (docs/operations.md, "Audit"): events are HMAC'd under a key kept out of the
# database and never derived from SECRET_KEY; fallbacks only verify (rotation). Each export
# appends the chain head to a file that is shipped off the host; without one the export is off.
HARBOR_AUDIT_KEY = env("HARBOR_AUDIT_KEY") or _defaults.get("HARBOR_AUDIT_KEY") or required("HARBOR_AUDIT_KEY")
HARBOR_AUDIT_KEY_FALLBACKS = envlist("HARBOR_AUDIT_KEY_FALLBACKS", [])
HARBOR_AUDIT_HEAD_FILE = env("HARBOR_AUDIT_HEAD_FILE") or (
    str(BASE_DIR / "var" / "audit-head.jsonl") if DEVELOPMENT else None
)
HARBOR_AUDIT_HEAD_EVERY = envint("HARBOR_AUDIT_HEAD_EVERY", 10 * 60)  # seconds; 0 turns the export off

DEBUG = envbool("DEBUG", DEVELOPMENT)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if (DEVELOPMENT or TESTING) else [])
if not ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS is not set; name the host names Harbor answers to.")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "vault",
    "audit",
    "periodic",
    "intake",
    "casework",
    "referrals",
    "resources",
]
# `make bench` only (HARBOR_ENV=bench or test): a plaintext twin of the intake to measure encryption against.
HARBOR_BENCH_BASELINE = envbool("HARBOR_BENCH_BASELINE", False)
if HARBOR_BENCH_BASELINE:
    INSTALLED_APPS.append("bench.baseline")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PrivacyHeadersMiddleware",
    # Above WhiteNoise, so static files too carry the CSP and X-Frame-Options
    # (OWASP Secure Headers; wapiti flagged a script without them).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.languages.FirstVisitLanguageMiddleware",
    "casework.middleware.StaffLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "casework.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, so its 413 page gets every header above (CSP, X-Frame-Options);
    # nothing above reads the body before a view asks for it.
    "config.middleware.RequestSizeLimitMiddleware",
    "config.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.harbor",
                "config.context_processors.language_links",
                "casework.context_processors.staff_nav",
                "casework.context_processors.admin_notices",
            ],
        },
    },
]

_default_db = f"sqlite:///{BASE_DIR / 'var' / 'harbor.sqlite3'}"
DATABASE_URL = env("DATABASE_URL") or (_default_db if (DEVELOPMENT or TESTING) else None)
if not DATABASE_URL:
    raise ConfigError("DATABASE_URL is not set; production runs on PostgreSQL (docs/operations.md).")
# Persistent connections are checked before each request reuses them: after PostgreSQL
# restarts, a worker that sat idle through it would otherwise answer its next
# submission with "try again" (bench/load.py found it; docs/benchmarks.md).
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds rate-limit counters under short-lived keyed hashes, the key of the hour
# those hashes are made with (vault/tags.py), and waiting-line slots and spent passes
# (intake/passes.py). It must never reach a disk: Redis without persistence
# (docs/operations.md), or each process's memory. The in-memory
# cache is sized for a flood: at Django's default of 300 entries it would evict counters.
REDIS_URL = env("REDIS_URL")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 200_000}}
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never outside tests

LANGUAGE_CODE = "en"
# The reporter's pages, e-mails and PDFs come in eight languages (docs/translations.md); staff pages
# in English and Spanish only (STAFF_LANGUAGES, casework.middleware.StaffLanguageMiddleware).
# Names in English for settings and logs only: pages name each language in itself
# (config.languages.NATIVE_NAMES), and staff pages in their own words (casework.presenters).
LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("zh-hant", "Traditional Chinese"),
    ("zh-hans", "Simplified Chinese"),
    ("tl", "Tagalog"),
    ("vi", "Vietnamese"),
    ("ko", "Korean"),
    ("th", "Thai"),
]
STAFF_LANGUAGES = ("en", "es")
# Django's LANG_INFO has no Tagalog; without an entry get_language_info("tl") fails.
# "fil" (Filipino, what many phones send) falls back to it, as zh-TW falls back to zh-hant.
EXTRA_LANG_INFO = {
    "tl": {"bidi": False, "code": "tl", "name": "Tagalog", "name_local": "Tagalog"},
    "fil": {"fallback": ["tl"]},
}
django.conf.locale.LANG_INFO.update(EXTRA_LANG_INFO)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEVELOPMENT or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEVELOPMENT or TESTING
WHITENOISE_AUTOREFRESH = DEVELOPMENT or TESTING
# WhiteNoise sends "Access-Control-Allow-Origin: *" by default; every page that uses
# these files is Harbor's own, so no other origin needs to read them.
WHITENOISE_ALLOW_ALL_ORIGINS = False
if DEVELOPMENT or TESTING:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads stay in memory, never in a temporary file on disk (decrypted photos
# must not touch the disk). intake.uploads bounds each file and the count.
FILE_UPLOAD_HANDLERS = ["intake.uploads.BoundedMemoryUploadHandler"]
HARBOR_MAX_IMAGE_BYTES = envint("HARBOR_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
HARBOR_MAX_IMAGES = envint("HARBOR_MAX_IMAGES", 4)
FILE_UPLOAD_MAX_MEMORY_SIZE = HARBOR_MAX_IMAGE_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("HARBOR_MAX_FIELDS_BYTES", 8 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
DATA_UPLOAD_MAX_NUMBER_FILES = 10
HARBOR_MAX_REQUEST_BYTES = envint(
    "HARBOR_MAX_REQUEST_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE + HARBOR_MAX_IMAGES * HARBOR_MAX_IMAGE_BYTES
)

LOGIN_URL = "/staff/login/"
LOGIN_REDIRECT_URL = "/staff/"
OTP_TOTP_ISSUER = env("HARBOR_OTP_ISSUER", "Harbor")
HARBOR_LOCKOUT_ATTEMPTS = envint("HARBOR_LOCKOUT_ATTEMPTS", 5)
HARBOR_LOCKOUT_SECONDS = envint("HARBOR_LOCKOUT_SECONDS", 15 * 60)
HARBOR_IDLE_SECONDS = 15 * 60

# Sessions are for staff only; the anonymous surface never starts one.
SESSION_COOKIE_AGE = 15 * 60  # idle timeout: every request slides it
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_AGE = None  # gone when the browser closes, not a year on a reporter's phone
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
LANGUAGE_COOKIE_SAMESITE = "Strict"
# Harbor never sets the language cookie (the language is in the address); were anything to, it
# would go when the browser closes, not stay on a shared phone.
LANGUAGE_COOKIE_AGE = None

SECURE = not (DEVELOPMENT or TESTING) and envbool("HARBOR_HTTPS", True)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 63072000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("HARBOR_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": nothing reaches another site, but browsers send
# "Origin: null" on every POST under no-referrer, and Django's CSRF check refuses
# it, so no form could be sent (tests/browser found this).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],  # Bootstrap draws checkboxes with data: SVG
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Exception reports and logs carry neither client addresses nor form content.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.logging.NoContentExceptionReporterFilter"
ADMINS: list[tuple[str, str]] = []
# Replaces Django's default handlers (console, django.server, mail_admins: no filter) with these.
LOGGING_CONFIG = "config.logging.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_client": {"()": "config.logging.NoClientDataFilter"},
        "no_template_context": {"()": "config.logging.NoTemplateContextFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_client"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {
        # The development server's request lines and django.request's records
        # reference the request; the filter strips it. Warnings only.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # At DEBUG its tracebacks carry the template context (report content).
        "django.template": {"filters": ["no_template_context"]},
        # Pillow logs every EXIF tag of an upload at DEBUG (GPS, owner, serial).
        "PIL": {"level": "INFO"},
    },
}

# Harbor's own settings.
HARBOR_SITE_TITLE = env("HARBOR_SITE_TITLE", "Harbor")
HARBOR_QUICK_EXIT_URL = env("HARBOR_QUICK_EXIT_URL", "https://www.google.com/search?q=weather+today")
HARBOR_ORG_NAME = env("HARBOR_ORG_NAME", "")  # e.g. "St. James Infirmary"; empty: "trained advocates"
# Where the organisation works: the jurisdiction pack code (policy/data/packs) whose protections
# reporters see and referrals name, with those of the places containing it (US-CA within US-CA-SF).
HARBOR_JURISDICTION = env("HARBOR_JURISDICTION", "US-CA-SF")
# How long the operator keeps backups (docs/operations.md). The reporter's "erased" page says so.
HARBOR_BACKUP_DAYS = envint("HARBOR_BACKUP_DAYS", 30)
# Where `manage.py backup` writes its archives (docs/operations.md, "Backups"); unset: pass --dir.
HARBOR_BACKUP_DIR = env("HARBOR_BACKUP_DIR") or (str(BASE_DIR / "var" / "backups") if DEVELOPMENT else None)
# Seconds between scheduled retention purges (periodic/registry.py); 0 turns the schedule off.
HARBOR_PURGE_EVERY = envint("HARBOR_PURGE_EVERY", 3600)

# Notifications without content (casework/notifications.py, docs/operations.md "Notifications"):
# a digest of how many new things there are, by e-mail, through the SMTP server named here. Without
# EMAIL_HOST there is no mailer and no digest. The variables keep Django's classic names; Django 6.1
# reads them as MAILERS.
_email_host = env("EMAIL_HOST") or ""
_email_tls = envbool("EMAIL_USE_TLS", False)
_email_ssl = envbool("EMAIL_USE_SSL", False)
if _email_tls and _email_ssl:
    raise ConfigError(
        "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be True: STARTTLS on 587, or TLS from the start on 465."
    )
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or ("harbor@localhost" if (DEVELOPMENT or TESTING) else "")
MAILERS: dict[str, dict] = {}
# No mailer without EMAIL_HOST, on purpose (notifications are off): Django's warning about it says nothing new.
SILENCED_SYSTEM_CHECKS = [] if _email_host else ["mail.W001"]
if _email_host:
    if not DEFAULT_FROM_EMAIL:
        raise ConfigError("EMAIL_HOST is set but DEFAULT_FROM_EMAIL is not: name the address digests come from.")
    if not (DEVELOPMENT or TESTING or _email_tls or _email_ssl or _email_host in LOOPBACK_HOSTS):
        raise ConfigError(
            "EMAIL_HOST is another machine but neither EMAIL_USE_TLS nor EMAIL_USE_SSL is True: "
            "the addresses (and EMAIL_HOST_PASSWORD) would cross the network in the clear."
        )
    _port = envint("EMAIL_PORT", 0)
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host,
            "port": _port or None,  # None: 465 with SSL, 587 with TLS, else 25
            "username": env("EMAIL_HOST_USER") or "",
            "password": env("EMAIL_HOST_PASSWORD") or "",
            "use_tls": _email_tls,
            "use_ssl": _email_ssl,
            "timeout": envint("EMAIL_TIMEOUT", 30),  # seconds; a stuck server must not hold the worker
        },
    }
# Minutes between digests: a mail says that something came in within that window, so not below 5.
HARBOR_NOTIFY_EVERY_MINUTES = envint("HARBOR_NOTIFY_EVERY_MINUTES", 15)
if 0 < HARBOR_NOTIFY_EVERY_MINUTES < 5:
    raise ConfigError("HARBOR_NOTIFY_EVERY_MINUTES must be 0 (off) or at least 5: each digest dates what it counts.")
# The site's address as staff reach it (https://report.example.org), for the login link in a
# digest; unset, a digest carries no link.
HARBOR_SITE_URL = (env("HARBOR_SITE_URL") or "").rstrip("/")
if HARBOR_SITE_URL and not site_url_ok(HARBOR_SITE_URL, strict=not (DEVELOPMENT or TESTING)):
    raise ConfigError(
        "HARBOR_SITE_URL must be an address like https://report.example.org (http:// only for a .onion name), "
        "with no path, query or fragment."
    )
# How long an invitation link stays usable (hours); an administrator may choose less or more per link.
HARBOR_INVITATION_HOURS = envint("HARBOR_INVITATION_HOURS", 72)
if not 1 <= HARBOR_INVITATION_HOURS <= 30 * 24:
    raise ConfigError("HARBOR_INVITATION_HOURS must be between 1 and 720 (30 days).")
# Peer safety alerts (docs/referrals.md): how many days a published alert stays up, and seconds
# between the scheduled checks that take expired ones down (0 turns the schedule off; the feed and
# the bulletin leave an expired alert out either way).
HARBOR_ALERT_DAYS = envint("HARBOR_ALERT_DAYS", 30)
if not 1 <= HARBOR_ALERT_DAYS <= 365:
    raise ConfigError("HARBOR_ALERT_DAYS must be a number of days from 1 to 365.")
HARBOR_ALERT_EXPIRE_EVERY = envint("HARBOR_ALERT_EXPIRE_EVERY", 3600)
# Seconds a person must spend on the form before it may be sent (bots are faster).
HARBOR_MIN_FORM_SECONDS = envint("HARBOR_MIN_FORM_SECONDS", 0 if TESTING else 4)
# How long a filled-in form waiting on the confirmation page stays valid.
HARBOR_DRAFT_MAX_AGE = envint("HARBOR_DRAFT_MAX_AGE", 3 * 3600)
# How long a page opened with a receipt stays usable before the receipt is asked again.
HARBOR_CHECK_MAX_AGE = envint("HARBOR_CHECK_MAX_AGE", 30 * 60)
# Rate limits: (count, seconds). Counted in the cache only, under hourly tags of the client's
# address group made with a random key that lives only in the cache (vault/tags.py). Past a
# limit nobody is refused: the request waits for a pass, work done by the browser or a stated
# wait (intake/passes.py, docs/architecture.md "Floods"). Behind an onion service every client
# is 127.0.0.1: set HARBOR_RATE_LIMIT_BY_ADDRESS=False there; the shared limits stay.
HARBOR_RATE_LIMIT_BY_ADDRESS = envbool("HARBOR_RATE_LIMIT_BY_ADDRESS", True)
HARBOR_RATE_PREVIEW = (envint("HARBOR_RATE_PREVIEW", 30), 3600)
HARBOR_RATE_PREVIEW_GLOBAL = (envint("HARBOR_RATE_PREVIEW_GLOBAL", 120), 600)
HARBOR_RATE_SUBMIT = (envint("HARBOR_RATE_SUBMIT", 10), 3600)
HARBOR_RATE_SUBMIT_GLOBAL = (envint("HARBOR_RATE_SUBMIT_GLOBAL", 60), 600)
HARBOR_RATE_CHECK_FAIL = (envint("HARBOR_RATE_CHECK_FAIL", 10), 900)
# Wrong receipts are counted per bucket of receipts (by a keyed hash of the lookup id), not
# for everyone: a flood of wrong receipts fills buckets the right one is unlikely to share.
HARBOR_RATE_CHECK_FAIL_PREFIX = (envint("HARBOR_RATE_CHECK_FAIL_PREFIX", 5), 900)
HARBOR_CHECK_PREFIXES = envint("HARBOR_CHECK_PREFIXES", 1024)
if env("HARBOR_RATE_CHECK_FAIL_GLOBAL") is not None:
    raise ConfigError(
        "HARBOR_RATE_CHECK_FAIL_GLOBAL is gone (since 2026-12): wrong receipts are limited per bucket, "
        "HARBOR_RATE_CHECK_FAIL_PREFIX (docs/operations.md)."
    )
# Passes: the shortest and the longest wait of a waiting ticket, how many tickets each limit's
# queue lets through a minute, how long a pass stays good once usable, and the work asked
# (SHA-256 leading zero bits, one more each time the load doubles, up to the maximum).
HARBOR_WAIT_SECONDS = envint("HARBOR_WAIT_SECONDS", 15)
HARBOR_WAIT_MAX_SECONDS = envint("HARBOR_WAIT_MAX_SECONDS", 300)
HARBOR_WAIT_RATE = envint("HARBOR_WAIT_RATE", 12)
HARBOR_PASS_SECONDS = envint("HARBOR_PASS_SECONDS", 600)
HARBOR_WORK_BITS = (envint("HARBOR_WORK_BITS_MIN", 16), envint("HARBOR_WORK_BITS_MAX", 20))
if not (HARBOR_WAIT_RATE > 0 and 0 <= HARBOR_WAIT_SECONDS <= HARBOR_WAIT_MAX_SECONDS):
    raise ConfigError("HARBOR_WAIT_RATE must be positive and HARBOR_WAIT_SECONDS at most HARBOR_WAIT_MAX_SECONDS.")
if not (1 <= HARBOR_WORK_BITS[0] <= HARBOR_WORK_BITS[1] <= 32):
    raise ConfigError("HARBOR_WORK_BITS_MIN and _MAX must satisfy 1 <= MIN <= MAX <= 32.")
HARBOR_TRUSTED_PROXY_HEADER = env("HARBOR_TRUSTED_PROXY_HEADER")  # e.g. HTTP_X_REAL_IP behind nginx

# Organisation key rotation: the old key is retired no sooner than this after rotation (each
# server trusts its copy of the active key for 30 s); re-wraps run in the request when the cache
# is per-process (no worker could read the one-time key), in the worker otherwise.
HARBOR_ROTATION_GRACE_SECONDS = envint("HARBOR_ROTATION_GRACE_SECONDS", 60)
_rewrap_inline = env("HARBOR_REWRAP_INLINE")
HARBOR_REWRAP_INLINE = None if _rewrap_inline is None else envbool("HARBOR_REWRAP_INLINE", False)

# Argon2id cost for staff key encryption (RFC 9106 "second recommended" by default).
HARBOR_ARGON2 = {
    "memory_cost": envint("HARBOR_ARGON2_MEMORY_KIB", 8 if TESTING else 65536),
    "iterations": envint("HARBOR_ARGON2_ITERATIONS", 1 if TESTING else 3),
    "lanes": envint("HARBOR_ARGON2_LANES", 1 if TESTING else 4),
}

_problems = start_problems(
    HARBOR_ENV,
    debug=DEBUG,
    pepper=HARBOR_RECEIPT_PEPPER,
    otp_keys=[HARBOR_OTP_KEY, *HARBOR_OTP_KEY_FALLBACKS],
    argon2=HARBOR_ARGON2,
    bench_baseline=HARBOR_BENCH_BASELINE,
    allowed_hosts=ALLOWED_HOSTS,
)
if _problems:
    raise ConfigError(f"Harbor refuses to start ({HARBOR_ENV}):\n- " + "\n- ".join(_problems))
