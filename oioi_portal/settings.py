"""
Settings for the OIOI partner platform.

Everything that differs between machines comes from the environment (see README, "Settings").
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_float(name, default):
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _development_secret_key():
    """A per-checkout key kept under var/, so a DEBUG server keeps its sessions across restarts."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _development_secret_key()

# Keyed hash of API key secrets. It must stay stable for the keys' lifetime, so it can be set apart
# from SECRET_KEY (which may be rotated); by default it is SECRET_KEY.
API_KEY_HASH_SECRET = os.environ.get("API_KEY_HASH_SECRET", SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Production sits behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Secure cookies follow the redirect: with it off, plain HTTP on loopback must still sign in.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_SSL_REDIRECT)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", bool(SECURE_HSTS_SECONDS)
)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The load balancer's health check speaks plain HTTP to the app.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
# The pages people use (admin, portal, sign-in) load nothing from elsewhere and run no inline
# script; the API docs page (Swagger UI) needs inline script and is left out.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY_PATHS = ("/admin/", "/portal/", "/accounts/")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted
# when working out a client's address (audit log, key network allow-lists).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Lowest first: each app imports only those above it in this list (tests/test_layering.py).
    "core",
    "partners",
    "stations",
    "clients",
    "sessions_app",
    "cdrs",
    "app_users",
    "oioi",
    "portal",
    "demo",
    "oioi_portal",
]

MIDDLEWARE = [
    "oioi_portal.middleware.RequestAuditMiddleware",
    "oioi_portal.middleware.ApiClientErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "oioi_portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The portal speaks English and German: the language chosen with the switcher, else the
    # browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "oioi_portal.urls"
WSGI_APPLICATION = "oioi_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let several gunicorn workers share the file without
    # "database is locked" errors on concurrent writes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
else:
    # A database host that drops packets instead of refusing them: answer 503 within seconds
    # rather than hold the worker (and the driver at the charger) until gunicorn's timeout.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.staticfiles.FallbackManifestStaticFilesStorage"},
}
# Pages work with DEBUG off before (or without) collectstatic: files missing from STATIC_ROOT are
# served from the apps' folders under their own names.
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/portal/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Password reset and invitation mails. Development prints them on the console.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")
# An invitation's password-set link is valid this long (Django's reset tokens; 3 days).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

# Portal sign-in throttling: after this many failures of one username from one address within
# the window, that pair is locked for the lock time.
SIGN_IN_MAX_FAILURES = env_int("SIGN_IN_MAX_FAILURES", 5)
SIGN_IN_FAILURE_WINDOW_SECONDS = env_int("SIGN_IN_FAILURE_WINDOW_SECONDS", 15 * 60)
SIGN_IN_LOCK_SECONDS = env_int("SIGN_IN_LOCK_SECONDS", 15 * 60)

# The request audit log and the authorization log are kept at least this long: `manage.py audit
# prune --before DATE` refuses a DATE less than this many days ago.
AUDIT_MIN_RETENTION_DAYS = env_int("AUDIT_MIN_RETENTION_DAYS", 365)

# --- OIOI -----------------------------------------------------------------------------------

OIOI_MINIMUM_VERSION = os.environ.get("OIOI_MINIMUM_VERSION", "4.0.0")
# An rfid-post of 100,000 UIDs is about 2 MiB.
OIOI_MAX_REQUEST_BYTES = env_int("OIOI_MAX_REQUEST_BYTES", 8 * 1024 * 1024)
OIOI_OUTBOUND_CONNECT_TIMEOUT = env_float("OIOI_OUTBOUND_CONNECT_TIMEOUT", 5.0)
OIOI_OUTBOUND_READ_TIMEOUT = env_float("OIOI_OUTBOUND_READ_TIMEOUT", 15.0)
# The longest we hold a caller while a CPO answers a forwarded call (session-start, ...);
# a CPO slower than that is answered 302.
OIOI_FORWARD_TIMEOUT_SECONDS = env_float("OIOI_FORWARD_TIMEOUT_SECONDS", 15.0)
# The longest a CPO's rfid-verify waits for a provider that authorizes online (as OCPI's
# `authorize`); the CPO has its answer within this plus a second whatever the provider does.
OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS = env_float("OIOI_VERIFY_FORWARD_TIMEOUT_SECONDS", 5.0)
# How long a reservation lasts when the CPO does not say.
RESERVATION_DEFAULT_MINUTES = env_int("RESERVATION_DEFAULT_MINUTES", 15)
# An OEM app user's token dies after this many days unused (docs/oioi.md, "OEM app users").
OIOI_USER_TOKEN_IDLE_DAYS = env_int("OIOI_USER_TOKEN_IDLE_DAYS", 90)
# The platform's public address, for links in e-mails sent outside a browser request (an app
# user's password reset, asked for by its OEM).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:8000")
# Offline-authorizing CPOs get the complete whitelist once a change has settled this long,
# and at least this often whatever happened.
OFFLINE_WHITELIST_DEBOUNCE_SECONDS = env_int("OFFLINE_WHITELIST_DEBOUNCE_SECONDS", 60)
OFFLINE_WHITELIST_INTERVAL_SECONDS = env_int("OFFLINE_WHITELIST_INTERVAL_SECONDS", 24 * 3600)
# Asynchronous deliveries (CDRs, whitelists): attempts before the dead letter, and the
# exponential back-off between them (base * 2^n, jittered, capped).
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 12)
DELIVERY_BACKOFF_BASE_SECONDS = env_float("DELIVERY_BACKOFF_BASE_SECONDS", 30.0)
DELIVERY_BACKOFF_MAX_SECONDS = env_float("DELIVERY_BACKOFF_MAX_SECONDS", 6 * 3600.0)
# The largest answer we read from a partner; a larger one counts as garbage.
OIOI_OUTBOUND_MAX_RESPONSE_BYTES = env_int("OIOI_OUTBOUND_MAX_RESPONSE_BYTES", 1024 * 1024)
# Seconds a client is told to wait (Retry-After) when we fail with 503.
OIOI_RETRY_AFTER_SECONDS = env_int("OIOI_RETRY_AFTER_SECONDS", 30)
OIOI_SURFACE_MAX_STATIONS = env_int("OIOI_SURFACE_MAX_STATIONS", 500)  # per surface answer
# Our own EMSP party (OCPI country code and party id): the `CC*PPP` of the EVCO ids we issue.
OCPI_COUNTRY_CODE = os.environ.get("OCPI_COUNTRY_CODE", "DE")
OCPI_EMSP_PARTY_ID = os.environ.get("OCPI_EMSP_PARTY_ID", "OIP")
# Requests per minute per API key unless its partner says otherwise (0: no limit).
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 6000)
# How stale an API key's "last used" may get before a request writes it again: one write per
# key per interval instead of one per request.
API_KEY_LAST_USED_RESOLUTION_SECONDS = env_int("API_KEY_LAST_USED_RESOLUTION_SECONDS", 60)

# Django refuses larger bodies before any view reads them; the OIOI endpoint answers 413 itself.
DATA_UPLOAD_MAX_MEMORY_SIZE = OIOI_MAX_REQUEST_BYTES

# --- REST API -------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["partners.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["partners.api.permissions.IsPartner"],
    "DEFAULT_FILTER_BACKENDS": [
        "partners.api.filters.PartnerScopeFilterBackend",
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["partners.ratelimit.ApiKeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "OIOI partner platform REST API",
    "DESCRIPTION": (
        "Read and filter your own data. Authenticate with the same API key as the OIOI "
        "endpoint: `Authorization: key=<prefix>.<secret>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
    # Swagger UI's assets are served from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"suspicious": {"()": "core.log_filters.SuspiciousRequestsAsWarnings"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["suspicious"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
