"""Django settings for sdgnet, read from the environment.

SDGNET_DATA_DIR   where the SQLite database, static files and the secret key live (default ./var)
DATABASE_URL      postgres://user@host:port/name switches from SQLite to PostgreSQL
SDGNET_DEBUG      1 for Django's debug mode (never in production)
SDGNET_SECRET_KEY overrides the key generated on first start in SDGNET_DATA_DIR
SDGNET_ALLOWED_HOSTS  comma-separated host names (default: localhost names)
SDGNET_HTTPS      1 behind HTTPS: secure cookies, HSTS, redirect to https
SDGNET_EMAIL_HOST, SDGNET_EMAIL_PORT, SDGNET_EMAIL_USER, SDGNET_EMAIL_PASSWORD,
SDGNET_EMAIL_TLS (1), SDGNET_EMAIL_FROM   send mail by SMTP (default: printed to the console)
SDGNET_UPLOAD_MAX_MB  largest data file an editor may upload (default 20)
SDGNET_PRERENDER_CHARTS  after a rescore: "background" (default), "now" or "off"
SDGNET_CACHE_DIR  the cache shared by the workers: rate-limit counts, pages (default
                  SDGNET_DATA_DIR/cache)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SDGNET_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("SDGNET_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written once with owner-only permissions; later starts reuse it so sessions survive.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SDGNET_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get(
    "SDGNET_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver"
).split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "sdgnet.web",
    "sdgnet.catalog",
    "sdgnet.places",
    "sdgnet.observations",
    "sdgnet.scores",
    "sdgnet.dashboards",
    "sdgnet.projects",
    "sdgnet.accounts",
    "sdgnet.network",
    "sdgnet.participation",
    "sdgnet.partners",
    "sdgnet.reports",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that accept it (the indicator page's map: 421 KB -> 101 KB);
    # before the middleware that write the body. Django adds its BREACH mitigation.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "sdgnet.web.middleware.RememberedLanguageMiddleware",
    # The API's messages in the request's language (Accept-Language, the language cookie).
    "sdgnet.web.api.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "sdgnet.web.api.ApiMethodNotAllowedMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sdgnet.web.urls"
WSGI_APPLICATION = "sdgnet.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

if database_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=60)}
    # A test database per test process, so parallel test runs on one server never clash.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get(
            "SDGNET_TEST_DB_NAME", f"test_{DATABASES['default']['NAME']}_{os.getpid()}"
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "sdgnet.sqlite3"),
            "OPTIONS": {
                # WAL lets the web server read while an import writes; IMMEDIATE avoids
                # lock upgrades failing mid-transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Keep each worker's connection: opening one (and its PRAGMAs) costs more
            # than a cached page does.
            "CONN_MAX_AGE": 600,
            # No TEST name: Django tests on SQLite use a private in-memory database.
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "web" / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"

# One cache for every worker of an installation: the API's rate-limit counters (django-ninja
# throttling) and the anonymous page cache (dashboards/views.py) live here, and `sdgnet
# serve` runs several gunicorn workers, so a per-process memory cache would let each worker
# count its own 600 requests a minute. Files under SDGNET_DATA_DIR, like the chart cache,
# need no extra service and behave alike on SQLite and PostgreSQL; the database cache would
# make every API read a write, queued on SQLite behind an import's or a rescore's write
# lock, and would store whole pages as rows. Each write lists the folder to cull it, so
# MAX_ENTRIES stays small (~2 ms per write at 1,000 files).
# SDGNET_CACHE_DIR moves it (all workers of one installation must name the same folder).
# The rate-limit counts have a folder of their own: in the page cache, anyone could push
# them out by asking for many addresses (culling drops a third of the files at random).
CACHE_DIR = Path(os.environ.get("SDGNET_CACHE_DIR", "") or DATA_DIR / "cache").resolve()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR),
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
    # One entry per client seen in the last minute (an address or an account).
    "throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR / "throttle"),
        "OPTIONS": {"MAX_ENTRIES": 10000},
    },
}
# When a rescore commits, the charts of the most visited pages are rendered into the
# shared chart cache (dashboards/prerender.py).
PRERENDER_CHARTS = os.environ.get("SDGNET_PRERENDER_CHARTS", "background")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if os.environ.get("SDGNET_HTTPS") == "1":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp): no inline scripts anywhere; inline style
# attributes are allowed because server-rendered SVG charts carry them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Accounts: the e-mail address is the user name; roles and named permissions are
# django-rules predicates (sdgnet.accounts.rules), checked alike by pages, API and admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
INVITATION_DAYS = 14
# Login rate limiting (django-axes): five failures for one address from one IP lock
# that pair out for an hour; the lockout answer is the same whether the account exists.
AXES_FAILURE_LIMIT = int(os.environ.get("SDGNET_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

if email_host := os.environ.get("SDGNET_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = email_host
    EMAIL_PORT = int(os.environ.get("SDGNET_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("SDGNET_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("SDGNET_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("SDGNET_EMAIL_TLS", "1") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("SDGNET_EMAIL_FROM", "sdgnet <noreply@localhost>")

# Uploads: a data file an editor sends is read once, for the preview; the rows it would
# write are kept in DATA_DIR/uploads until the confirmation writes them. Anything larger
# than this is refused before it is read.
SDGNET_UPLOAD_MAX_BYTES = int(float(os.environ.get("SDGNET_UPLOAD_MAX_MB", "20")) * 1024 * 1024)
SDGNET_UPLOAD_SUFFIXES = [".csv", ".xlsx", ".json"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# API rate limits (django-ninja throttling), per client per period.
SDGNET_API_ANON_RATE = os.environ.get("SDGNET_API_ANON_RATE", "600/m")
SDGNET_API_USER_RATE = os.environ.get("SDGNET_API_USER_RATE", "1200/m")
NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 1000
NINJA_PAGINATION_MAX_OFFSET = 10**9

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Peers: each municipality is also compared with its k most similar municipalities by
# these attributes (see sdgnet.scores.actions.similarity_attributes).
SDGNET_PEER_K = int(os.environ.get("SDGNET_PEER_K", "5"))
SDGNET_PEER_ATTRIBUTES = os.environ.get(
    "SDGNET_PEER_ATTRIBUTES", "log_population,log_density"
).split(",")
