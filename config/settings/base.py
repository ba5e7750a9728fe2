"""Settings for Inventera, read from environment variables.

Development works with no variables at all (SQLite in ./data, DEBUG on). In production
(DEBUG off) a missing SECRET_KEY or ALLOWED_HOSTS is an error, not a silent default.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import overload

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


# With a string default env() never returns None; the overloads tell the type checker.
@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None = None) -> str | None: ...
def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = env(name)
    try:
        return default if value is None else int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "csp",
    "axes",
    "config.apps.InventeraConfig",  # the security log's signal receivers
    "inventory",
    "procurement",
    "reports",
]
# The demo municipality (`manage.py seed_demo`, the app `demo`): on in development, left
# out on a server unless DEMO=true, since its users have a published password.
INVENTERA_DEMO = env_bool("DEMO", default=DEBUG)
if INVENTERA_DEMO:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    # First: /healthz from loopback needs neither the public host name nor HTTPS.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.OneDataVersionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last: turns a locked-out login into the login page saying what to do.
    "axes.middleware.AxesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.nav_section",
            ],
            "builtins": ["inventory.templatetags.inventera"],
        },
    },
]

# Widgets rendered by Jinja2: the same HTML for a fraction of the CPU (config/formrenderer.py).
FORM_RENDERER = "config.formrenderer.FastWidgets"

DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "data")))
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'inventera.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while one writer writes; IMMEDIATE makes a write
    # transaction take its lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        # How long a writer waits for another writer's lock before "database is locked".
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed attempts for one user
# name from one address, that user name is refused from that address for
# LOGIN_COOLOFF_MINUTES after the last counted failure. Other user names from the same
# address (many staff share the municipality's) and the same user name from elsewhere
# are not affected. `manage.py axes_reset_username NAME` unlocks, as does deleting the
# access attempt in the admin.
AUTHENTICATION_BACKENDS = ["config.backends.ThrottledModelBackend"]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
# Attempts while locked do not restart the wait, so the page can say how long it is.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
# Logins and logouts are in the security log; the database keeps only the failures.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded documents live outside the static root and are only served through
    # views that check access (see MEDIA_ROOT); there is deliberately no MEDIA_URL.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "uploads")))
# The cached figures (inventory/figures.py) in files, so that a server's worker processes
# share them: each version of a figure is made once per server, not once per worker.
# Entries are only read under the data version they were made for, so a server needs no
# cache shared with the others (docs/deployment.md).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env("CACHE_DIR", str(DATA_DIR / "cache")),
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}
# Several app servers need one place for the uploads: a folder they all mount at
# MEDIA_ROOT, or an S3-compatible object store through django-storages, chosen by naming
# its bucket (docs/deployment.md). The files are still served only through the views that
# check access, streamed by the app; the store's own URLs are never handed out.
S3_BUCKET = env("STORAGE_S3_BUCKET")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("STORAGE_S3_ENDPOINT_URL"),
            "region_name": env("STORAGE_S3_REGION"),
            # Without these, boto3 finds credentials its own way (environment, instance role).
            "access_key": env("STORAGE_S3_ACCESS_KEY"),
            "secret_key": env("STORAGE_S3_SECRET_KEY"),
            "location": env("STORAGE_S3_PREFIX", ""),
            # As in a folder: a name taken gets another, nothing is overwritten.
            "file_overwrite": False,
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000  # bulk actions post one checkbox per selected asset

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "inventera@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Where links in e-mails point, e.g. https://inventera.kommun.se
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
# Where the QR codes on printed asset labels point: the site's address as seen from a
# phone on the library floor. The same as SITE_URL unless set; labels outlive a change of
# it, so set it once to the address that will last.
INVENTERA_BASE_URL = env("INVENTERA_BASE_URL", SITE_URL)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer's health check may ask over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"


def _client_ip_header(name: str) -> str:
    """REMOTE_ADDR, or the request.META key of a header: X-Real-IP -> HTTP_X_REAL_IP."""
    key = name.strip().upper().replace("-", "_")
    if key == "REMOTE_ADDR" or key.startswith("HTTP_"):
        return key
    return f"HTTP_{key}"


# Where the client's address comes from (login throttling, the security log): the
# connection, unless a reverse proxy of ours sets a header with it (X-Real-IP,
# X-Forwarded-For) and the app cannot be reached around the proxy.
INVENTERA_CLIENT_IP_HEADER = _client_ip_header(env("CLIENT_IP_HEADER", "REMOTE_ADDR"))

# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after
# the login however busy (0: no limit): config.middleware.SessionTimeoutMiddleware.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
INVENTERA_SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 10)

# Content-Security-Policy (django-csp): everything from this site only; no inline script
# or style anywhere (templates/500.html, which must render without the app, allows its
# own inline CSS by hash: config.errors). Charts are SVG images in data: URIs.
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
    }
}
# Browser features no page uses; the camera is kept for this site (QR label scanning).
INVENTERA_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": ["self"],
    "display-capture": [],
    "encrypted-media": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "xr-spatial-tracking": [],
}

# The security log (config.security): one line per event on stderr, or in
# SECURITY_LOG_FILE; key=value, or JSON with SECURITY_LOG_FORMAT=json.
SECURITY_LOG_FORMAT = env("SECURITY_LOG_FORMAT", "text")
if SECURITY_LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(
        f"SECURITY_LOG_FORMAT must be text or json, not {SECURITY_LOG_FORMAT!r}"
    )
SECURITY_LOG_FILE = env("SECURITY_LOG_FILE")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "security": {
            "()": "config.security.SecurityFormatter",
            "as_json": SECURITY_LOG_FORMAT == "json",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
        "security": (
            {
                # Reopens the file when logrotate has moved it.
                "class": "logging.handlers.WatchedFileHandler",
                "filename": SECURITY_LOG_FILE,
                "formatter": "security",
            }
            if SECURITY_LOG_FILE
            else {"class": "logging.StreamHandler", "formatter": "security"}
        ),
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default adds a console handler to `django` (with DEBUG on) on top
        # of the root's, which printed each line twice: its lines go to the root only.
        # (Its mail_admins handler goes too; no ADMINS are set.) Naming `django` resets
        # the loggers under it, so runserver's request lines get Django's format back.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "inventera.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # django-axes' own lines repeat the security log's, less clearly.
        "axes": {"level": "ERROR"},
    },
}

# Inventera's own settings
# The contracting authority, as the documentation of a direct award names it
# (LOU 19 a kap. 11 §): the municipality's name and organisation number.
INVENTERA_MUNICIPALITY_NAME = env("MUNICIPALITY_NAME", "Exempelkommunen" if DEBUG else "")
INVENTERA_MUNICIPALITY_ORG_NUMBER = env("MUNICIPALITY_ORG_NUMBER", "212000-0001" if DEBUG else "")
# Where users report accessibility problems, as the accessibility statement
# (/accessibility/) says; required by lag (2018:1937) om tillgänglighet till digital
# offentlig service. Without it the statement points to the municipality instead.
INVENTERA_ACCESSIBILITY_CONTACT = env(
    "ACCESSIBILITY_CONTACT", "tillganglighet@exempelkommunen.se" if DEBUG else ""
)
# Uploaded case documents: at most this many bytes each.
INVENTERA_MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Web imports of more rows than this run in the background (`manage.py run_imports`), so
# that no web worker holds the database for the whole import; 0 imports every file at once.
INVENTERA_BACKGROUND_IMPORT_ROWS = env_int("BACKGROUND_IMPORT_ROWS", 2000)
