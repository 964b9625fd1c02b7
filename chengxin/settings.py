"""Django settings, read from the environment.

With nothing set the system runs on SQLite (WAL) under ./var/ with the local-memory cache.
`.env.example` documents every variable.
"""

import shutil
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from chengxin.core.env import (
    email_settings,
    ensure_private_dir,
    ensure_private_file,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("CHENGXIN_VAR_DIR") or PROJECT_DIR / "var")

ENV = env_choice("CHENGXIN_ENV", ("development", "production"), "development")
PRODUCTION = ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        env_required("ALLOWED_HOSTS")
    DEBUG = False
else:
    SECRET_KEY = env_str("SECRET_KEY") or "development-only-not-secret-chengxin"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
    DEBUG = env_bool("DEBUG", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # one-time recovery codes, given at enrolment
    "ninja",
    "chengxin.core",
    "chengxin.units",
    "chengxin.campaigns",
    "chengxin.statform",
    "chengxin.reporting",
    "chengxin.analytics",
    "chengxin.workbooks",
    "chengxin.notifications",
    "chengxin.portal",
    "chengxin.indices",
    "chengxin.activities",
    "chengxin.commitments",
    "chengxin.api",
    "chengxin.audit",
    "chengxin.ops",
    "chengxin.textsearch",
    "chengxin.publications",
    "chengxin.site",
    "huey.contrib.djhuey",
    "captcha",  # django-simple-captcha: the picture (and spoken) check of the commitment signing form
    "django_ratelimit",
]

MIDDLEWARE = [
    # The real client behind the trusted proxies, before anything reads the address (chengxin/core/proxy.py).
    "chengxin.core.middleware.ProxyMiddleware",
    # /healthz and /metrics, ahead of host checks and the HTTPS redirect (the load balancer probes app processes).
    "chengxin.ops.middleware.HealthMiddleware",
    "chengxin.ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "chengxin.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chengxin.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "chengxin.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before CsrfViewMiddleware's process_view reads a POST body: too large a body is refused unread.
    "chengxin.core.middleware.RequestSizeMiddleware",
    # No NUL, lone surrogate or absurdly long value in any query or form field (chengxin/core/inputs.py).
    "chengxin.core.middleware.InputMiddleware",
    "chengxin.units.middleware.SessionLimitsMiddleware",
    # The second factor first: a forced password change is reachable only once the code is given.
    "chengxin.units.middleware.TwoFactorMiddleware",
    "chengxin.units.middleware.PasswordAgeMiddleware",
    "chengxin.units.middleware.DutiesMiddleware",
    # A campaign being prepared: 404 for everyone but the national administrators (its pages, files, API).
    "chengxin.campaigns.middleware.PreparingCampaignMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chengxin.core.middleware.DomainErrorMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chengxin.urls"
WSGI_APPLICATION = "chengxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chengxin.campaigns.context_processors.navigation",
                "chengxin.notifications.context_processors.unread_notices",
                "chengxin.site.context_processors.work_waiting",
                "chengxin.core.context_processors.display_mode",
            ],
            "builtins": ["chengxin.core.templatetags.chengxin_tags"],
        },
    },
]

# Database: DATABASE_URL (postgres://…) in production; SQLite in WAL mode under ./var/ otherwise.
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME") or "test_chengxin"
else:
    ensure_private_dir(VAR_DIR)
    DATABASES = {
        "default": {
            # Django's SQLite backend, creating the file with mode 0600 (chengxin/core/sqlite/base.py).
            "ENGINE": "chengxin.core.sqlite",
            "NAME": VAR_DIR / "chengxin.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the
                # start of a transaction so that two writers queue instead of failing half-way.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "units.User"

_redis_url = env_str("REDIS_URL")
if _redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chengxin"}}

# Passwords (ASVS V2, MLPS 2.0 level 3): Argon2id; PBKDF2 hashes from before keep working and are rehashed
# with Argon2 at the next sign-in. The rules and where they depart from ASVS: chengxin/units/passwords.py.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "chengxin.units.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "chengxin.units.passwords.ComplexityValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "chengxin.units.passwords.ContextWordsValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
# Days after which a user must change the password (MLPS periodic change); 0 turns it off. An initial password
# set by an administrator must be changed at first sign-in regardless.
CHENGXIN_PASSWORD_MAX_AGE_DAYS = env_int("CHENGXIN_PASSWORD_MAX_AGE_DAYS", 90)

# Sessions: signed out after CHENGXIN_SESSION_IDLE_MINUTES without a request and CHENGXIN_SESSION_ABSOLUTE_HOURS
# after signing in (chengxin.units.middleware.SessionLimitsMiddleware). The session id changes at sign-in and the
# session is deleted at sign-out (Django's login() and logout()); sign-out is POST only.
CHENGXIN_SESSION_IDLE_MINUTES = env_int("CHENGXIN_SESSION_IDLE_MINUTES", 30)
CHENGXIN_SESSION_ABSOLUTE_HOURS = env_int("CHENGXIN_SESSION_ABSOLUTE_HOURS", 12)
if CHENGXIN_SESSION_ABSOLUTE_HOURS < 1:
    raise ImproperlyConfigured("CHENGXIN_SESSION_ABSOLUTE_HOURS must be at least 1 (it is also the cookie's lifetime).")
SESSION_COOKIE_AGE = CHENGXIN_SESSION_ABSOLUTE_HOURS * 60 * 60
SESSION_SAVE_EVERY_REQUEST = False

# Sign-in lock-out (django-axes): after CHENGXIN_LOGIN_FAILURE_LIMIT wrong passwords in a row the pair
# (user name, client IP) is locked for CHENGXIN_LOGIN_COOLOFF_MINUTES. Keyed on the pair, not the user name
# alone, so nobody can lock a unit's account from their own computer on the eve of the deadline; the same
# account from another computer and other accounts from the same computer are unaffected. A successful
# sign-in clears the count. Administrators unlock with `chengxin axes_reset_username <user name>` (or
# `axes_reset_ip`, `axes_reset`) or in the admin under "Axes".
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "chengxin.units.backends.UnitModelBackend",  # Django's ModelBackend, the unit read with the account
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("CHENGXIN_LOGIN_FAILURE_LIMIT", 5)
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("CHENGXIN_LOGIN_FAILURE_LIMIT must be at least 1.")
_cooloff_minutes = env_int("CHENGXIN_LOGIN_COOLOFF_MINUTES", 15)
if _cooloff_minutes < 1:
    raise ImproperlyConfigured("CHENGXIN_LOGIN_COOLOFF_MINUTES must be at least 1.")
AXES_COOLOFF_TIME = timedelta(minutes=_cooloff_minutes)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Behind reverse proxies: CHENGXIN_TRUSTED_PROXY_COUNT is the number of proxies in front that append to
# X-Forwarded-For (1 behind one nginx). chengxin.core.middleware.ProxyMiddleware then puts the address the outermost
# proxy saw into REMOTE_ADDR, which django-axes, the audit log, rate limits and the request log read; the scheme
# comes from X-Forwarded-Proto. 0 (the default): the connection's own address and scheme, and both headers are
# ignored, so a client reaching the server directly cannot choose them.
CHENGXIN_TRUSTED_PROXY_COUNT = env_int("CHENGXIN_TRUSTED_PROXY_COUNT", 0)
if CHENGXIN_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("CHENGXIN_TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
if CHENGXIN_TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background work (long imports): huey. With nothing set its queue is a SQLite file beside the database and
# `chengxin serve` runs the workers as threads of its own process, so no extra service is needed; with
# REDIS_URL the queue lives in Redis. CHENGXIN_TASKS_IMMEDIATE=1 runs every task at once, in the request
# (the test suite does this).
HUEY = {
    "name": "chengxin",
    "immediate": env_bool("CHENGXIN_TASKS_IMMEDIATE", False),
    "results": False,
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if _redis_url:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _redis_url})
else:
    ensure_private_dir(VAR_DIR)
    ensure_private_file(VAR_DIR / "tasks.sqlite3")
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")})

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where `chengxin collectstatic` writes the static files nginx serves (readable by nginx, unlike VAR_DIR).
STATIC_ROOT = Path(env_str("CHENGXIN_STATIC_ROOT") or VAR_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploaded files live outside the web root and are only served through views that check access.
MEDIA_ROOT = Path(env_str("CHENGXIN_MEDIA_ROOT") or VAR_DIR / "files")
# No URL serves MEDIA_ROOT; this prefix is routed nowhere (Django's test live server needs a string here).
MEDIA_URL = "/_uploads-are-not-served-by-url/"
SUMMARY_MAX_BYTES = env_int("CHENGXIN_SUMMARY_MAX_BYTES", 20 * 1024 * 1024)
# LibreOffice, which prints the drafted documents (summary, case book) to PDF: unset, `soffice` on PATH; a path;
# or empty for never (publications/pdf.py).
CHENGXIN_SOFFICE = env_str("CHENGXIN_SOFFICE")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# No page has more fields than this (a reviewer's "accept these" list of a province's cities included); more is 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files are read by the system's own processes only (the web and the task worker run as one account).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# The largest request body any page takes unless it says otherwise (chengxin.core.middleware.max_body): one
# summary report with its form. Larger bodies are refused with 413 before they are read.
CHENGXIN_MAX_REQUEST_BYTES = env_int("CHENGXIN_MAX_REQUEST_BYTES", SUMMARY_MAX_BYTES + 1024 * 1024)
# The workbook import takes up to 20 files in one request, together at most this many bytes. The largest body of
# any page: the proxy in front caps at this (deploy/nginx/chengxin.conf, client_max_body_size) and so does waitress.
CHENGXIN_IMPORT_MAX_BYTES = env_int("CHENGXIN_IMPORT_MAX_BYTES", 100 * 1024 * 1024)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Lax, not Strict: a link from a notice email must open the signed-in page, not the login form.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Not HttpOnly: the cached public pages switch language by setting this cookie from JavaScript (portal.js).
LANGUAGE_COOKIE_HTTPONLY = False
# Origins (scheme://host[:port]) allowed to POST besides the site's own, e.g. when a proxy rewrites Host.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Content-Security-Policy (django-csp 4): only this site's own scripts, styles, images and data: images, no
# plugin, no framing, forms post only here. No inline script, event handler attribute or style attribute is
# allowed: the templates use static files and data-* attributes (static/chengxin/app.js), htmx is told not to
# inject its indicator style (base.html) and ECharts draws its tooltips on the canvas. The Django admin and
# django-ninja's Swagger UI run under the same policy (core/tests/test_upload_csp_browser.py). A view that
# must differ sets its own header (the file downloads do) or uses django-csp's decorators.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page of the system uses, switched off (chengxin.core.middleware.PermissionsPolicyMiddleware).
CHENGXIN_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), browsing-topics=()"
)

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"
    WHITENOISE_USE_FINDERS = False

DEFAULT_FROM_EMAIL = "诚信兴商宣传月 <noreply@localhost>"
globals().update(email_settings(env_str("EMAIL_URL")))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# The address people open the system at: links in emails are built on it.
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

# Logs go to standard error (systemd's journal, or the file the process manager names). One line per request on
# `chengxin.request` (CHENGXIN_REQUEST_LOG=0 turns it off); CHENGXIN_LOG_FORMAT=json writes every line as JSON.
_log_format = env_choice("CHENGXIN_LOG_FORMAT", ("text", "json"), "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "chengxin.ops.middleware.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": _log_format}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "WARNING"},
    "loggers": {
        "chengxin.request": {"level": "INFO" if env_bool("CHENGXIN_REQUEST_LOG", True) else "WARNING"},
        # Django's own loggers print through the root handler only: Django's default console handler (DEBUG) printed
        # every line a second time.
        "django": {"handlers": [], "level": "INFO"},
    },
}
# `GET /metrics` (Prometheus format) answers only `Authorization: Bearer <this>`; unset, metrics are off (404).
CHENGXIN_METRICS_TOKEN = env_str("CHENGXIN_METRICS_TOKEN") or ""

# Two-factor sign-in (TOTP) for every account: always on in production; development may switch it off.
if PRODUCTION:
    if not env_bool("CHENGXIN_2FA_REQUIRED", True):
        raise ImproperlyConfigured("CHENGXIN_2FA_REQUIRED cannot be switched off in production.")
    CHENGXIN_2FA_REQUIRED = True
else:
    CHENGXIN_2FA_REQUIRED = env_bool("CHENGXIN_2FA_REQUIRED", True)
OTP_TOTP_ISSUER = "诚信兴商宣传月"  # the name authenticator apps show beside the account

# Days the audit log is kept; MLPS 2.0 level 3 asks for at least six months (180 days).
CHENGXIN_AUDIT_RETENTION_DAYS = env_int("CHENGXIN_AUDIT_RETENTION_DAYS", 180)
if CHENGXIN_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("CHENGXIN_AUDIT_RETENTION_DAYS must be at least 180 (six months).")

# Anonymous endpoints (issue 12): at most this many commitment signings and public searches per client address
# (django-ratelimit, in the cache: Redis in production; "N/s", "N/m", "N/h" or "N/d").
CHENGXIN_SIGN_RATE = env_str("CHENGXIN_SIGN_RATE") or "10/h"
CHENGXIN_SEARCH_RATE = env_str("CHENGXIN_SEARCH_RATE") or "120/m"
# A unit reminded (by hand or by the daily job) is not reminded again by hand within this many hours.
CHENGXIN_REMIND_AGAIN_HOURS = env_int("CHENGXIN_REMIND_AGAIN_HOURS", 4)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "chengxin.commitments.views.too_many"
# django-ratelimit's checks know only memcached and django-redis: Django's own RedisCache (what REDIS_URL sets) counts
# atomically too (W001). Without Redis, one process (`chengxin serve`) counts in its own memory, which is right for
# it (E003); several processes need Redis, and deploy/gunicorn.conf.py refuses to start them without it.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# The signing form's check (django-simple-captcha): four digits in a picture, and read aloud by flite when it is
# installed (the non-visual alternative; apt-get install flite).
CHENGXIN_SIGN_CAPTCHA = env_bool("CHENGXIN_SIGN_CAPTCHA", True)
CAPTCHA_CHALLENGE_FUNCT = "chengxin.commitments.captcha.digits_challenge"
CAPTCHA_FLITE_PATH = shutil.which("flite")
CAPTCHA_TIMEOUT = 20  # minutes to fill the form in
CAPTCHA_FONT_SIZE = 30
CAPTCHA_2X_IMAGE = False

# Demo accounts are created by `chengxin serve` in development only, never in production.
CHENGXIN_DEMO_ACCOUNTS = not PRODUCTION and env_bool("CHENGXIN_DEMO_ACCOUNTS", True)
