"""Gugus settings: one file, read from the environment.

Development gets safe defaults. `GUGUS_ENV=production` refuses to start with DEBUG on,
the development secret key or development encryption keys.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GUGUS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


GUGUS_ENV = os.environ.get("GUGUS_ENV", "development")
PRODUCTION = GUGUS_ENV == "production"

DEV_SECRET_KEY = "dev-insecure-gugus-secret-key-change-me-0123456789"  # noqa: S105
# Development-only keys. Production must supply its own (see docs/security.md).
DEV_FIELD_KEY = "JUTCV4aEaZGSus17Q1Gh_6yT9YFBq8yoqbyFptckiVQ="  # noqa: S105
DEV_HASH_KEY = "dev-only-hmac-key-for-identity-search"  # noqa: S105

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

# Identity encryption (Fernet keys, comma separated, newest first, for rotation) and the
# separate HMAC key for the searchable keyed hashes.
FIELD_ENCRYPTION_KEYS = [k for k in os.environ.get("GUGUS_FIELD_KEYS", DEV_FIELD_KEY).split(",") if k]
IDENTITY_HASH_KEY = os.environ.get("GUGUS_HASH_KEY", DEV_HASH_KEY)

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("DJANGO_DEBUG must be off")
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 40:
        problems.append("DJANGO_SECRET_KEY must be set to a long random value")
    if DEV_FIELD_KEY in FIELD_ENCRYPTION_KEYS:
        problems.append("GUGUS_FIELD_KEYS must be set (not the development key)")
    if IDENTITY_HASH_KEY == DEV_HASH_KEY:
        problems.append("GUGUS_HASH_KEY must be set (not the development key)")
    if problems:
        raise ImproperlyConfigured("Unsafe production settings: " + "; ".join(problems))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "gugus.core",
    "gugus.reference",
    "gugus.accounts",
    "gugus.audit",
    "gugus.cases",
    "gugus.care",
    "gugus.referrals",
    "gugus.registry",
    "gugus.monitoring",
    "gugus.exchange",
    "gugus.publish",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gugus.audit.context.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gugus.accounts.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gugus.accounts.middleware.IdleTimeoutMiddleware",
    "gugus.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gugus.urls"
WSGI_APPLICATION = "gugus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gugus" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gugus.accounts.context_processors.gugus",
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'gugus.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let a reader and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gugus.accounts.backends.GugusModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# pytest sets PYTEST_VERSION: tests get a fast hasher and run background tasks inline.
TESTING = "PYTEST_VERSION" in os.environ
if os.environ.get("GUGUS_FAST_HASHER") or TESTING:
    # Tests only: argon2 on every fixture user would dominate the suite's time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login hardening: lockout after repeated failures (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("GUGUS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("GUGUS_AXES_ENABLED", True)

OTP_TOTP_ISSUER = "Gugus PP-TPPO"
# Idle session timeout (seconds).
SESSION_IDLE_TIMEOUT = int(os.environ.get("GUGUS_IDLE_TIMEOUT", str(30 * 60)))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gugus" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "gugus" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
GUGUS_MAX_UPLOAD_BYTES = int(os.environ.get("GUGUS_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "GUGUS_TASK_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
        ),
    }
}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
GUGUS_BASE_URL = os.environ.get("GUGUS_BASE_URL", "http://localhost:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "gugus@localhost")

# 7-day rights clock (UU 21/2007 art. 52(1)): calendar vs working days is not settled in law.
RIGHTS_DEADLINE_DAYS = int(os.environ.get("GUGUS_RIGHTS_DEADLINE_DAYS", "7"))
RIGHTS_DEADLINE_WORKING_DAYS = env_bool("GUGUS_RIGHTS_DEADLINE_WORKING_DAYS", False)
# Open data: published cells with 1 <= n < this threshold are suppressed.
OPEN_DATA_MIN_CELL = int(os.environ.get("GUGUS_OPEN_DATA_MIN_CELL", "11"))

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

# Structured logs; every handler masks NIK, phone numbers and people's names.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "gugus.logging.MaskPIIFilter"}},
    "formatters": {"json": {"()": "gugus.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["mask_pii"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("GUGUS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
