"""Anju settings: one module, everything that varies read from the environment.

ANJU_DATABASE_URL  default SQLite (WAL) under the data dir; postgres://... for PostgreSQL
ANJU_DATA_DIR      default ./var
ANJU_SECRET_KEY    generated and kept in the data dir when unset (or ANJU_SECRET_KEY_FILE)
ANJU_DEBUG         off unless set
ANJU_HTTPS         on unless set to 0: secure cookies, HSTS, redirect to https
ANJU_ALLOWED_HOSTS comma-separated; default localhost names
ANJU_OTP_REQUIRED  on unless set to 0: every staff page needs the second factor (TOTP)
ANJU_PASSWORD_MAX_AGE_DAYS  default 90; a password older than this must be changed (0: never)
ANJU_PASSWORD_HISTORY       default 5; a new password may not repeat the last N
ANJU_MAX_ROWS_HOUSEHOLDS / _LISTS / _REPORTS, ANJU_MAX_COLUMNS_...  caps of one uploaded file
ANJU_IMPORT_MAX_ERRORS      default 1000; row errors kept and shown (the total is still counted)
ANJU_UPLOAD_RETENTION_DAYS  default 30; uploaded files (kept encrypted) are deleted after this
ANJU_AUDIT_KEY              base64 HMAC key signing the audit chain (default: var/audit_key)
ANJU_TRUSTED_PROXIES        addresses/networks of the reverse proxies whose X-Forwarded-For is
                            believed (default none: the connecting address is the client)
Several app servers and workers (docs/cluster.md), all unset by default:
ANJU_CACHE_URL              redis://host:6379/0: the cache every server and worker shares (task
                            progress, API rate limits); default a file cache under the data dir
ANJU_CACHE_PREFIX           a prefix for every cache key (two installations on one Redis)
ANJU_DATABASE_REPLICA_URL   postgres://... of a streaming read replica: list pages, the overview,
                            exports and the cross-check's reads go there (anju.replica)
ANJU_REPLICA_STICKY_SECONDS default 5: a user's reads stay on the primary this long after a write
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from anju.env import data_dir, envbool, envint, envsecret, envstr, kept_secret_key
from anju.netaddr import parse_trusted

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

DEBUG = envbool("ANJU_DEBUG")
SECRET_KEY = envsecret("ANJU_SECRET_KEY") or kept_secret_key(DATA_DIR)
ALLOWED_HOSTS = [
    h.strip()
    for h in envstr("ANJU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    # django-otp's core only: the TOTP device is anju.accounts.SealedTOTPDevice (the secret
    # sealed at rest), not django_otp.plugins.otp_totp (which keeps it in clear).
    "django_otp",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "anju.regions",
    "anju.accounts",
    "anju.audit",
    "anju.reporting",
    "anju.oversight",
    "anju.households",
    "anju.crosscheck",
    "anju.portal",
    "anju.dashboard",
    "anju.assessments",
    "anju.cadres",
    "anju.spotchecks",
    "anju.campaigns",
    "anju.workbench",
    "anju.guide",
    "anju.notifications",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anju.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "anju.accounts.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "anju.accounts.middleware.RequestContextMiddleware",
    "anju.accounts.middleware.SessionLifetimeMiddleware",
    "anju.accounts.middleware.PasswordChangeRequiredMiddleware",
    "anju.accounts.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]
if envstr("ANJU_DATABASE_REPLICA_URL"):
    # First in line: the request's reads are routed before any middleware reads the session.
    MIDDLEWARE.insert(0, "anju.replica.ReplicaMiddleware")

ROOT_URLCONF = "anju.urls"
WSGI_APPLICATION = "anju.wsgi.application"

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
                "anju.accounts.context_processors.workspace",
                "anju.notifications.context_processors.unread",
                "anju.portal.context_processors.portal",
            ],
        },
    },
]


def _database(variable: str = "ANJU_DATABASE_URL") -> dict:
    url = envstr(variable)
    if url:
        db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        # No JIT: PostgreSQL compiles a plan whose estimated cost passes jit_above_cost, and for
        # the cross-check's joins that compiling (inlining and optimising ~100 functions) took
        # 0.7 s of a 0.79 s query on 16,000 households, more than the query itself; nothing here
        # runs long enough per row to earn it back (docs/crosscheck.md, growth with the data).
        options = db.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
        return db
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "anju.sqlite3",
        "OPTIONS": {
            # BEGIN IMMEDIATE: writers queue for the lock instead of failing mid-transaction,
            # which the audit chain's read-head-then-append relies on.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            # A 64 MB page cache per connection (SQLite's default is 2 MB; it grows only as pages
            # are read): the household list's filters probe indexes for every household in
            # scope, and on the province demo a city's filter read them from the OS each time
            # (危险等级 D: 424 -> 263 ms p95 from the cache alone). anju.tabular.inserts.bulk_load
            # raises it further for an import and puts this back afterwards.
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-65536;"
            ),
        },
    }


DATABASES = {"default": _database()}
# A streaming read replica (PostgreSQL): some reads go there, everything else stays on the
# primary (anju.replica: the router, and the middleware that keeps a user's reads on the primary
# just after their own write). Unset: one database, no router, exactly as before.
if envstr("ANJU_DATABASE_REPLICA_URL"):
    DATABASES["replica"] = _database("ANJU_DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["anju.replica.ReplicaRouter"]
REPLICA_STICKY_SECONDS = envint("ANJU_REPLICA_STICKY_SECONDS", 5)

# Background work (large imports, cross-check runs): queued in the database, run by `anju worker`
# (started by `anju serve`). No broker to install on an offline intranet.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Shared by every process on the machine (web workers and the task worker): progress of
# background jobs, rate limits. Files under the data dir, no cache server to run. Several
# machines (docs/cluster.md) share Redis instead (ANJU_CACHE_URL, Django's own Redis backend):
# a file cache under each server's data dir would show one server's progress to it alone.
# Sessions and lockouts are in the database either way (django.contrib.sessions, axes).
if envstr("ANJU_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": envstr("ANJU_CACHE_URL"),
            "KEY_PREFIX": envstr("ANJU_CACHE_PREFIX", "anju"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "anju.accounts.validators.UserAttributeSimilarityValidator"},
    {
        "NAME": "anju.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "anju.accounts.validators.CommonPasswordValidator"},
    {"NAME": "anju.accounts.validators.NumericPasswordValidator"},
    {"NAME": "anju.accounts.validators.CharacterClassValidator"},
    {"NAME": "anju.accounts.validators.PasswordHistoryValidator"},
]
# Rotation: a password older than this many days must be changed before any other staff page
# (0 turns rotation off); a new password may not be one of the last PASSWORD_HISTORY ones.
PASSWORD_MAX_AGE_DAYS = envint("ANJU_PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_HISTORY = envint("ANJU_PASSWORD_HISTORY", 5)

# Second factor (TOTP, django-otp) for every staff role: a session that has only passed the
# password reaches nothing but the code and enrolment pages (anju.accounts.access).
OTP_REQUIRED = envbool("ANJU_OTP_REQUIRED", True)
# Paths the second-factor check leaves alone. /api/ is the REST API (issue #9's API branch):
# its requests carry a token, not a login session, so there is no session to verify with a code;
# the API's own authentication and access checks apply there instead.
OTP_EXEMPT_PREFIXES = ["/api/", "/static/"]
OTP_TOTP_ISSUER = "安居"
# Devices accept the current 30-second step and one either side (tolerance = 1),
# never more: no drift learning, which would let the accepted window wander.
OTP_TOTP_SYNC = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The reverse proxies in front of the server: only a request from one of these has its
# X-Forwarded-For believed (anju.netaddr.client_address). Everyone else's header is ignored.
TRUSTED_PROXIES = parse_trusted(envstr("ANJU_TRUSTED_PROXIES"))

# Lockout: 5 failures lock the username (every address) and the (username, address) pair, for a
# short cool-off. Never the address alone: failures with invented names from one address (or
# from everyone behind one proxy) must not lock out every real account.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=envint("ANJU_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "anju.netaddr.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Failed attempts are stored with the posted form: never keep a one-time code there either.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code"]

# Sessions: idle timeout (the cookie age is renewed by every request) and an absolute lifetime.
SESSION_COOKIE_AGE = envint("ANJU_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = envint("ANJU_SESSION_HOURS", 12) * 3600
# Working days the township has to act on an assistance cadre's observation (seed 003: 第一时间).
ANJU_CADRE_RESPONSE_DAYS = envint("ANJU_CADRE_RESPONSE_DAYS", 3)
# A clue is overdue whatever its stage once this many days have passed since it was received.
ANJU_CLUE_LIMIT_DAYS = envint("ANJU_CLUE_LIMIT_DAYS", 90)
# The first period (YYYY-MM) the workbench checks for unsubmitted reports; default 12 months back.
ANJU_REPORTING_SINCE = envstr("ANJU_REPORTING_SINCE", "")

# Notifications (anju.notifications): e-mail through Django's SMTP backend, group robots over
# HTTPS, a daily digest at ANJU_DIGEST_HOUR (Asia/Shanghai) sent by the background worker.
EMAIL_BACKEND = envstr("ANJU_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("ANJU_EMAIL_HOST", "")  # empty: e-mail is not configured, none is sent
EMAIL_PORT = envint("ANJU_EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("ANJU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envsecret("ANJU_EMAIL_PASSWORD") or ""
EMAIL_USE_TLS = envbool("ANJU_EMAIL_TLS", False)  # STARTTLS
EMAIL_USE_SSL = envbool("ANJU_EMAIL_SSL", False)  # implicit TLS (port 465)
EMAIL_TIMEOUT = envint("ANJU_EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = envstr("ANJU_EMAIL_FROM", "anju@localhost")
ANJU_DIGEST_HOUR = envint("ANJU_DIGEST_HOUR", 8)
ANJU_WEBHOOK_TIMEOUT = envint("ANJU_WEBHOOK_TIMEOUT", 10)
# Sending attempts before a delivery is given up (shown to the system administrator).
ANJU_NOTIFY_MAX_ATTEMPTS = envint("ANJU_NOTIFY_MAX_ATTEMPTS", 8)
# How the portal's 查处通报 shows the persons a published case names (the city decides):
# "mask" 王*国, "surname" 王某, "none" 某某.
ANJU_PORTAL_NAMES = envstr("ANJU_PORTAL_NAMES", "mask")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = envint("ANJU_UPLOAD_MAX_MB", 20) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Caps of one file of each kind, (rows, columns): a spreadsheet reader allocates rows × columns
# at once (anju.tabular.limits, docs/operations.md "上传文件的限制").
UPLOAD_LIMITS = {
    "households": (
        envint("ANJU_MAX_ROWS_HOUSEHOLDS", 300_000),
        envint("ANJU_MAX_COLUMNS_HOUSEHOLDS", 64),
    ),
    "lists": (envint("ANJU_MAX_ROWS_LISTS", 1_000_000), envint("ANJU_MAX_COLUMNS_LISTS", 32)),
    "reports": (envint("ANJU_MAX_ROWS_REPORTS", 2_000), envint("ANJU_MAX_COLUMNS_REPORTS", 64)),
}
IMPORT_MAX_ERRORS = envint("ANJU_IMPORT_MAX_ERRORS", 1000)
UPLOAD_RETENTION_DAYS = envint("ANJU_UPLOAD_RETENTION_DAYS", 30)

# Web security. ANJU_HTTPS=0 is for a demo on plain http://127.0.0.1 only.
HTTPS = envbool("ANJU_HTTPS", True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True

# Content Security Policy: everything from this origin, no inline script, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SILENCED_SYSTEM_CHECKS: list[str] = []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"forbidden_one_line": {"()": "anju.logs.ForbiddenOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("ANJU_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # A 403 is one line (user, path, reason), not a PermissionDenied traceback.
        "django.request": {"filters": ["forbidden_one_line"]},
    },
}

# The REST API (/api/v1/, docs/api.md): personal tokens only, no session authentication.
ANJU_API_RATE = envint("ANJU_API_RATE", 300)  # requests per token and minute
# Who runs the public portal, as its footer says.
ANJU_PORTAL_OPERATOR = envstr("ANJU_PORTAL_OPERATOR", "市住房和城乡建设局村镇建设科")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["anju.api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["anju.api.auth.AccessPolicy"],
    "DEFAULT_THROTTLE_CLASSES": ["anju.api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "anju.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "安居 数据接口",
    "DESCRIPTION": (
        "农村住房安全保障系统的只读数据接口与部门名单上传。个人令牌认证（Authorization: Bearer），"
        "范围与界面相同：按角色（403）和区划（404）限定；证件号、账号一律脱敏。"
        '错误一律为 {"error": {"code", "message", "details"}}。'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "anju.api.errors.add_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False, "displayRequestDuration": True},
    "ENUM_NAME_OVERRIDES": {},
}

# Demo and region data shipped with the package.
REGION_DATA_DIR = BASE_DIR / "regions" / "data"
