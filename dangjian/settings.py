"""Settings for Dangjian, read from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path

from dangjian.lib.env import (
    env,
    envbool,
    envdatabase,
    envint,
    envlist,
    envredis,
    envsecret,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", "False")
SECRET_KEY = envsecret("SECRET_KEY", "insecure-local-development-key-change-me")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Dangjian's own apps first, so their templates override Wagtail's.
    "dangjian.orgs",
    "dangjian.search",
    "dangjian.portal",
    "dangjian.kb",
    "dangjian.experts",
    "dangjian.quiz",
    "dangjian.study",
    "dangjian.disclosure",
    "dangjian.voting",
    "dangjian.publicity",
    "dangjian.stats",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.api.v3",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Background work
    "django_tasks",
    "django_tasks_db",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dangjian.orgs.middleware.BearerTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"
AUTH_USER_MODEL = "orgs.Person"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dangjian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "dangjian.portal.context_processors.site",
            ],
        },
    },
]

# Storage: SQLite by default, PostgreSQL in production via DATABASE_URL.
DATABASES = {
    "default": envdatabase("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; busy_timeout makes a
    # writer wait for the lock instead of failing at once under load.
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"].pop("CONN_HEALTH_CHECKS", None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envredis("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "dangjian"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "dangjian",
        }
    }

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:me"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = envint(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", str(10 * 1024 * 1024)
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "SAMEORIGIN"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# Wagtail
WAGTAIL_SITE_NAME = "党建云"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Search results remembered per process (query, filters, page) until the index
# or the synonym table changes; 0 turns the cache off (dangjian/search/engine.py).
SEARCH_RESULT_CACHE = envint("SEARCH_RESULT_CACHE", "4096")
# Documents always go through Wagtail's view, where disclosure checks the audience.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "txt",
    "csv",
    "odt",
    "ods",
    "zip",
]

# Dangjian
DANGJIAN_DATA_DIR = env("DANGJIAN_DATA_DIR", str(BASE_DIR.parent / "shared" / "data"))
DANGJIAN_CITY_NAME = env("DANGJIAN_CITY_NAME", "")

# Policy experts (dangjian/experts)
DANGJIAN_EXPERTS_SLA_HOURS = envint("DANGJIAN_EXPERTS_SLA_HOURS", "48")
# Files served only through permission-checked views (expert attachments, videos).
DANGJIAN_PRIVATE_MEDIA_ROOT = env(
    "DANGJIAN_PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")
)
DANGJIAN_PRIVATE_ROOT = DANGJIAN_PRIVATE_MEDIA_ROOT
DANGJIAN_TRUST_X_FORWARDED_FOR = envbool("DANGJIAN_TRUST_X_FORWARDED_FOR", "False")
DANGJIAN_SMS_BACKEND = env("DANGJIAN_SMS_BACKEND", "dangjian.lib.sms.LogBackend")
DANGJIAN_SMS_HTTP_URL = env("DANGJIAN_SMS_HTTP_URL", "")
DANGJIAN_SMS_HTTP_TOKEN = envsecret("DANGJIAN_SMS_HTTP_TOKEN", "")
DANGJIAN_SMS_SIGN_NAME = env("DANGJIAN_SMS_SIGN_NAME", "党建云")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "党建云 <noreply@dangjian.local>")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")

# Votes (dangjian/voting)
VOTING_TRUSTED_PROXIES = envlist("VOTING_TRUSTED_PROXIES", "")
VOTING_HASH_KEY = envsecret("VOTING_HASH_KEY", "")  # falls back to SECRET_KEY
VOTING_SMS_TEMPLATE = env(
    "VOTING_SMS_TEMPLATE", ""
)  # provider template of the code SMS
VOTING_GROUP_COMMIT = envbool("VOTING_GROUP_COMMIT", "True")
# Public votes with a voter token skip Django's request cycle (voting/fastpath.py).
VOTING_FAST_PATH = envbool("VOTING_FAST_PATH", "True")
# Knowledge-base searches (GET /api/kb/search) likewise (kb/fastpath.py).
KB_SEARCH_FAST_PATH = envbool("KB_SEARCH_FAST_PATH", "True")

# Statistics (dangjian/stats): page views counted on the server, flushed in batches.
DANGJIAN_VIEW_COUNTING = envbool("DANGJIAN_VIEW_COUNTING", "True")
DANGJIAN_VIEW_FLUSH_SECONDS = envint("DANGJIAN_VIEW_FLUSH_SECONDS", "10")
DANGJIAN_VIEW_FLUSH_HITS = envint("DANGJIAN_VIEW_FLUSH_HITS", "500")

# Publicity (dangjian/publicity): outbound webhooks retried with backoff.
PUBLICITY_WEBHOOK_MAX_ATTEMPTS = envint("PUBLICITY_WEBHOOK_MAX_ATTEMPTS", "6")
PUBLICITY_WEBHOOK_RETRY_BASE_SECONDS = envint(
    "PUBLICITY_WEBHOOK_RETRY_BASE_SECONDS", "60"
)
PUBLICITY_WEBHOOK_TIMEOUT = envint("PUBLICITY_WEBHOOK_TIMEOUT", "10")
# Addresses users type in (webhooks) must be public unless this is on: see
# dangjian/lib/outbound.py (server-side request forgery).
OUTBOUND_ALLOW_PRIVATE = envbool("OUTBOUND_ALLOW_PRIVATE", "False")
