"""Settings read from the environment, with embedded defaults so a fresh checkout just runs.

No DATABASE_URL → SQLite under var/; no CELERY_BROKER_URL → Celery tasks run in process;
no REDIS_URL → an in-process cache. Production sets DEBUG=False, SECRET_KEY and ALLOWED_HOSTS
(see docker-compose.yml) and then every `check --deploy` setting is on.
"""
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-only-for-the-embedded-default")
else:
    SECRET_KEY = env.str("SECRET_KEY")  # no default: production must be given one
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "fundportal.views.csrf_failure"  # a Chinese page: go back, reload; nothing was saved
# Absolute address printed in receipt QR codes; the verification page lives under it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "fundportal.admin_utils.PortalAdminConfig",  # django.contrib.admin, every admin under the portal's policy
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # staff API tokens: only a digest is stored; the key is shown once, when issued
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files
    "import_export",
    "simple_history",
    "fundportal.apps.AxesConfig",  # django-axes, named in Chinese in the admin
    "django_celery_beat",
    "csp",
    "fundportal",
    "donations",
    "assistance",
    "disclosure",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fundportal.middleware.RefuseNulMiddleware",  # before the session cookie or a form is read
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "fundportal.middleware.ApiNoStoreMiddleware",
]

ROOT_URLCONF = "fundportal.urls"
WSGI_APPLICATION = "fundportal.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Row locks do not exist on SQLite; IMMEDIATE transactions serialise writers instead.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # An unreachable database fails a request within seconds (a 503 page), not after minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Tolerant: with Redis down, pages keep working (fundportal/cache.py); short timeouts.
    CACHES = {"default": {"BACKEND": "fundportal.cache.TolerantRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1}}}
else:
    # The embedded default is one process, so a local cache is enough for rate limits.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "fundportal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so locked-out logins never reach the others
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True  # 311,000.00 on pages; form inputs stay unlocalised
FORMAT_MODULE_PATH = ["fundportal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request if it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")  # private files: never served as static
# Published statements pre-rendered as files (public; nginx serves them directly in production).
PUBLIC_ROOT = env.path("PUBLIC_ROOT", default=VAR_DIR / "public")
# The transparency log (disclosure/transparency/). The fund's signing key is a file (a compose secret
# in production), never a row or a log line; its public key is derived from it unless TLOG_PUBLIC_KEY
# gives it (a server that only verifies). TLOG_ORIGIN names the log; it is the key's name too.
TLOG_ORIGIN = env.str("TLOG_ORIGIN", default="cmaf.example.cn/transparency-log")
TLOG_SIGNING_KEY_FILE = env.path("TLOG_SIGNING_KEY_FILE", default=VAR_DIR / "secrets" / "tlog-signing.key")
TLOG_PUBLIC_KEY = env.str("TLOG_PUBLIC_KEY", default="")
# Keys the log signed with before a rotation (vkeys), so its earlier checkpoints still verify.
TLOG_RETIRED_KEYS = env.list("TLOG_RETIRED_KEYS", default=[])
# The witnesses asked to cosign each checkpoint: "URL VKEY" each, separated by ";".
TLOG_WITNESSES = [item.strip() for item in env.str("TLOG_WITNESSES", default="").split(";") if item.strip()]
# Witnesses no longer asked (their cosignature/v1 vkeys): their earlier cosignatures still verify.
TLOG_RETIRED_WITNESSES = env.list("TLOG_RETIRED_WITNESSES", default=[])
TLOG_WITNESS_TIMEOUT = env.float("TLOG_WITNESS_TIMEOUT", default=5.0)  # seconds per witness and request
# Cosignatures by configured witnesses a checkpoint needs before a receipt or a family's page calls a
# proof against it verified (at most the number of witnesses; none configured: the fund's signature).
TLOG_WITNESS_QUORUM = env.int("TLOG_WITNESS_QUORUM", default=1)
# Seconds the latest checkpoint may wait for that quorum before verify reports it (a witness down).
TLOG_COSIGN_GRACE = env.int("TLOG_COSIGN_GRACE", default=3600)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Celery: no broker configured → run tasks in process (embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True  # a crashed worker's task is redelivered; tasks are idempotent
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A request never waits long for a broker that is down: the row waits instead (fundportal/queue.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# Statement builds: pause after each step (seconds) — only for fault drills (a worker killed mid-build).
DISCLOSURE_BUILD_PAUSE = env.float("DISCLOSURE_BUILD_PAUSE", default=0.0)
# Bank result files: pause after each line applied (seconds) — only for fault drills (a worker killed mid-file).
BANK_RESULT_LINE_PAUSE = env.float("BANK_RESULT_LINE_PAUSE", default=0.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication",
                                       "fundportal.api_permissions.TokenAuthentication"],
    "DEFAULT_PARSER_CLASSES": ["fundportal.api_permissions.JSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_PERMISSION_CLASSES": ["fundportal.api_permissions.ModelPermissions"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "fundportal.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "fundportal.api_permissions.PageLimits",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"receipt_lookup": "30/minute", "progress_lookup": "30/minute"},
    # Never trust X-Forwarded-For for throttling: nginx's X-Real-IP becomes REMOTE_ADDR (deploy/wsgi.py).
    "NUM_PROXIES": 0,
}
# `Authorization: Token <key>`, as before knox; a token lasts API_TOKEN_TTL_DAYS unless revoked.
KNOX_TOKEN_MODEL = "fundportal.ApiToken"
MIGRATION_MODULES = {"knox": None}  # knox's own token table would stay empty: ours replaces it
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": dt.timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=90)),
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "慈善医疗救助共富基金 API",
    "VERSION": "0.1.0",
    # The reference page (/api/docs/) serves Swagger UI from our static files: nothing from the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies closed to undeclared properties and NUL characters, as the API takes them.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "fundportal.api_docs.request_bodies_as_taken"],
    # Two models have a field named like another's with other choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "StatementKindEnum": "disclosure.models.Statement.Kind",
        "ReceiptStatusEnum": "donations.models.Receipt.Status",
        "AppealChannelEnum": "assistance.appeals.models.Appeal.Channel",
        "DonationChannelEnum": "donations.models.Donation.Channel",
        "ObjectionChannelEnum": "assistance.publicity.models.Objection.Channel",
        "ObjectionStateEnum": "assistance.publicity.models.Objection.State",
    },
}

# Spreadsheet exports must never carry live formulas (=, +, -, @ ...).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True
# The uploaded file waits between preview and confirm in the shared cache, so any web container
# can confirm it (the default keeps it in one container's /tmp).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Date ranges (fundportal/dates.py): business dates (gifts, payments, visits, meetings) not before
# the fund's first day; settlement data and invoices not before the earliest data the fund imports.
FUND_START_DATE = dt.date.fromisoformat(env.str("FUND_START_DATE", default="2023-01-01"))
DATA_EARLIEST_DATE = dt.date.fromisoformat(env.str("DATA_EARLIEST_DATE", default="2015-01-01"))

# Public receipt look-ups: failures per IP before the page answers 429.
RECEIPT_LOOKUP_RATE = env.str("RECEIPT_LOOKUP_RATE", default="10/m")
RECEIPT_DOWNLOAD_RATE = env.str("RECEIPT_DOWNLOAD_RATE", default="20/m")
# A family's progress look-up (/progress/): failures per IP, the same mechanism as receipts.
PROGRESS_LOOKUP_RATE = env.str("PROGRESS_LOOKUP_RATE", default="10/m")
# Objections sent online without a login: per IP (an objection look-up counts as a progress look-up).
OBJECTION_RATE = env.str("OBJECTION_RATE", default="5/h")

# 公示 before payment and the public's objections; a family's request for review (复核).
PUBLICITY_DAYS = env.int("PUBLICITY_DAYS", default=7)  # calendar days, both ends included
OBJECTION_WORKING_DAYS = env.int("OBJECTION_WORKING_DAYS", default=20)  # to decide an objection
APPEAL_WINDOW_DAYS = env.int("APPEAL_WINDOW_DAYS", default=60)  # calendar days after a decision to ask
APPEAL_WORKING_DAYS = env.int("APPEAL_WORKING_DAYS", default=20)  # to decide a review
# 应助未助 (outreach): an eligible family with no application this many days after the decision
# becomes a task for its village, to be contacted within OUTREACH_CONTACT_DAYS (calendar days); the
# task ends as unreachable at the OUTREACH_UNREACHABLE_ATTEMPTS-th contact that reaches nobody.
OUTREACH_AFTER_DAYS = env.int("OUTREACH_AFTER_DAYS", default=30)
OUTREACH_CONTACT_DAYS = env.int("OUTREACH_CONTACT_DAYS", default=10)
OUTREACH_UNREACHABLE_ATTEMPTS = env.int("OUTREACH_UNREACHABLE_ATTEMPTS", default=3)
# Eligibility (低收入认定) lasts ELIGIBILITY_VALID_MONTHS from the decision; a re-review (复审) opens
# ELIGIBILITY_RECHECK_LEAD_DAYS before it lapses, and a lapsed family is not costed until re-checked.
ELIGIBILITY_VALID_MONTHS = env.int("ELIGIBILITY_VALID_MONTHS", default=12)
ELIGIBILITY_RECHECK_LEAD_DAYS = env.int("ELIGIBILITY_RECHECK_LEAD_DAYS", default=30)
# Follow-up of assisted families (防止返贫监测) at each screening: a new year's out-of-pocket cost of
# at least FOLLOWUP_THRESHOLD (below the screening threshold), or at least FOLLOWUP_RISE_RATIO times
# the year before and at least FOLLOWUP_RISE_FLOOR, or a death; contacted within FOLLOWUP_CONTACT_DAYS.
FOLLOWUP_THRESHOLD = env.str("FOLLOWUP_THRESHOLD", default="20000")
FOLLOWUP_RISE_RATIO = env.str("FOLLOWUP_RISE_RATIO", default="1.5")
FOLLOWUP_RISE_FLOOR = env.str("FOLLOWUP_RISE_FLOOR", default="10000")
FOLLOWUP_CONTACT_DAYS = env.int("FOLLOWUP_CONTACT_DAYS", default=15)

# SMS notices (fundportal/notices/; README "短信通知 / Notices"). The default prints each message
# (phone masked) on the console; NOTICE_BACKEND=fundportal.notices.tencent.TencentSmsBackend sends
# through Tencent Cloud SMS with the NOTICE_SMS_* settings. Credentials only from the environment.
NOTICE_BACKEND = env.str("NOTICE_BACKEND", default="fundportal.notices.backends.ConsoleBackend")
NOTICE_FILE_PATH = env.path("NOTICE_FILE_PATH", default=VAR_DIR / "notices.jsonl")  # FileBackend
NOTICE_MAX_ATTEMPTS = env.int("NOTICE_MAX_ATTEMPTS", default=5)  # then failed, with the reason
NOTICE_RETRY_BASE_SECONDS = env.int("NOTICE_RETRY_BASE_SECONDS", default=60)  # doubled after each attempt
# A row still "sending" after this long (its worker died) becomes uncertain: never sent again by itself.
NOTICE_SENDING_LEASE_SECONDS = env.int("NOTICE_SENDING_LEASE_SECONDS", default=300)
# JSON, our template code → the provider's: {"application_received": "2188001"} (empty: none yet).
NOTICE_TEMPLATE_CODES = json.loads(env.str("NOTICE_TEMPLATE_CODES", default="") or "{}")
NOTICE_SMS_ENDPOINT = env.str("NOTICE_SMS_ENDPOINT", default="sms.tencentcloudapi.com")
NOTICE_SMS_REGION = env.str("NOTICE_SMS_REGION", default="ap-guangzhou")
NOTICE_SMS_SECRET_ID = env.str("NOTICE_SMS_SECRET_ID", default="")
NOTICE_SMS_SECRET_KEY = env.str("NOTICE_SMS_SECRET_KEY", default="")
NOTICE_SMS_SDK_APP_ID = env.str("NOTICE_SMS_SDK_APP_ID", default="")
NOTICE_SMS_SIGN_NAME = env.str("NOTICE_SMS_SIGN_NAME", default="")
NOTICE_SMS_TIMEOUT = env.int("NOTICE_SMS_TIMEOUT", default=10)  # seconds; well under the lease

# Donors' SMS reminder of a pledge instalment still owed, this many days before its date (and once
# when it is overdue): donations/notices.py, daily on the beat schedule.
PLEDGE_REMINDER_DAYS = env.int("PLEDGE_REMINDER_DAYS", default=14)

# The statutory disclosure calendar (disclosure/obligations/, 慈善组织信息公开办法): a single gift or a
# payout batch of at least this many yuan is a major fund movement, to be made public within 30
# days; finance's work queue shows what falls due within DISCLOSURE_REMIND_DAYS days (and what is overdue).
DISCLOSURE_MAJOR_AMOUNT = Decimal(env.str("DISCLOSURE_MAJOR_AMOUNT", default="100000.00"))
DISCLOSURE_REMIND_DAYS = env.int("DISCLOSURE_REMIND_DAYS", default=30)

# Content Security Policy (django-csp 4): no inline scripts, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Every handler masks ID-, phone- and account-shaped strings (fundportal/logsafe.py), exception
# text included. Django's own loggers are named here so that its default handlers (which would
# print unmasked) are replaced by ours; Celery's handlers get the filter in fundportal/celery.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "fundportal.logsafe.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # tencentcloud_sdk_common's debug lines carry the request (numbers, the signed header).
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "axes", "tencentcloud_sdk_common")},
        **{name: {"handlers": ["console"], "level": "INFO", "propagate": False}
           for name in ("django", "django.server")},
    },
}
