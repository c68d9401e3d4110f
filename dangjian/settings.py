"""Settings for Dangjian, read from the environment (see .env.example)."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

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
# Without SITE_URL, links made for a request (share blocks, QR codes) use the
# address the request came to, so a site on another host or port shares links
# that work; background work falls back to the default Site's address.
SITE_URL_CONFIGURED = bool(env("SITE_URL", ""))

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
    "dangjian.members",
    "dangjian.outreach",
    "dangjian.orglife",
    "dangjian.tickets",
    "dangjian.publicity",
    "dangjian.stats",
    "dangjian.notify",
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
    # Security: login throttling and Content-Security-Policy
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public pages from the cache: before the session, CSRF and
    # auth middleware (a hit needs none of them; a miss shows what they set).
    "dangjian.lib.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "dangjian.lib.middleware.EdgeInputMiddleware",
    # The request's Wagtail Site from a short per-process memo (no query).
    "dangjian.lib.site.SiteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dangjian.orgs.middleware.BearerTokenMiddleware",
    "dangjian.lib.headers.PrivateCacheMiddleware",
    "dangjian.lib.headers.ContentSecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The admin's own views, kept to what the person may know of.
    "dangjian.orgs.admin_guard.AdminReachMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
# A refused CSRF check: a Chinese page (JSON under /api/), not Django's English one.
CSRF_FAILURE_VIEW = "dangjian.portal.views.csrf_failure"
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

# Anonymous public pages served from the cache (dangjian/lib/pagecache.py).
# Only views that opt in are stored; a purge on publish makes every stored
# page stale at once. PAGE_CACHE_SECONDS is also the s-maxage nginx or a CDN
# may keep a page; browsers keep it PAGE_CACHE_BROWSER_SECONDS.
PAGE_CACHE = envbool("PAGE_CACHE", "True")
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", "60")
PAGE_CACHE_BROWSER_SECONDS = envint("PAGE_CACHE_BROWSER_SECONDS", "10")
# Without Redis, the processes of one node share the purge through this file.
PAGE_CACHE_STAMP_FILE = env(
    "PAGE_CACHE_STAMP_FILE", str(BASE_DIR / "var" / "pagecache.stamp")
)
# Cookies that say nothing about the person (the votes' signed device id,
# analytics); any other cookie means a personal page, never from the cache.
PAGE_CACHE_IGNORED_COOKIES = ["dj_dev", *envlist("PAGE_CACHE_IGNORED_COOKIES", "")]
# Cookies that change the page for everyone alike (a display mode): part of the key.
PAGE_CACHE_KEY_COOKIES = envlist("PAGE_CACHE_KEY_COOKIES", "")
# Rows public pages show besides pages, snippets and publicity sources.
PAGE_CACHE_CONTENT_MODELS = [
    "orgs.Organisation",
    "disclosure.DisclosureCategory",
    "study.Topic",
    "wagtailimages.Image",
    "wagtaildocs.Document",
]
# Listing pages the frontend cache is asked to drop on every publication,
# besides the changed object's own address.
PAGE_CACHE_PURGE_PATHS = envlist(
    "PAGE_CACHE_PURGE_PATHS",
    "/,/disclosure/,/disclosure/press/,/disclosure/feed.atom,/kb/,/votes/,"
    "/study/,/publicity/feeds/atom.xml",
)
# A caching proxy in front (nginx, Varnish): Wagtail's frontend cache sends it
# PURGE requests for those addresses (e.g. http://127.0.0.1:8080).
FRONTEND_CACHE_PURGE_URL = env("FRONTEND_CACHE_PURGE_URL", "")
if FRONTEND_CACHE_PURGE_URL:
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONTEND_CACHE_PURGE_URL,
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
# Axes' backend first: it refuses a locked account or address before any
# password is checked (dangjian/orgs/throttle.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
# Our Chinese for the admin strings Wagtail's zh_Hans catalogue lacks (and a
# few we word differently): LOCALE_PATHS win over the apps' own catalogues.
LOCALE_PATHS = [BASE_DIR / "dangjian" / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Uploads: names under a private prefix (documents/, study/, experts/, exports/)
# go to the "private" store, the rest (Wagtail images) to the public MEDIA_ROOT.
# See dangjian/lib/storage.py; nginx may serve MEDIA_ROOT only.
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "dangjian.lib.storage.RoutedStorage"},
    "public": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "dangjian.lib.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if env("DANGJIAN_PRIVATE_S3_BUCKET"):
    # Private files in an S3-compatible bucket (needs django-storages[s3]);
    # never public, still served only through the permission-checked views.
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DANGJIAN_PRIVATE_S3_BUCKET"),
            "endpoint_url": env("DANGJIAN_PRIVATE_S3_ENDPOINT_URL") or None,
            "region_name": env("DANGJIAN_PRIVATE_S3_REGION") or None,
            "access_key": env("DANGJIAN_PRIVATE_S3_ACCESS_KEY") or None,
            "secret_key": envsecret("DANGJIAN_PRIVATE_S3_SECRET_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = envint(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", str(10 * 1024 * 1024)
)

# Security. Behind HTTPS set the "production" block of .env.example;
# `manage.py check --deploy` then has nothing to say.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")
# The load balancer's health check may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# "HTTP_X_FORWARDED_PROTO=https": the proxy's header saying the request was HTTPS
# (only behind a proxy that always sets or overwrites it).
SECURE_PROXY_SSL_HEADER = (
    tuple(env("SECURE_PROXY_SSL_HEADER").split("=", 1))
    if "=" in env("SECURE_PROXY_SSL_HEADER")
    else None
)
# SAMEORIGIN, not DENY: Wagtail's live preview shows the page in a frame.
# The CSP's frame-ancestors says the same to browsers that read it.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Content-Security-Policy (django-csp; dangjian/lib/headers.py). The public
# site runs no inline script at all; inline style attributes (progress bars)
# are allowed. CSP_EXTRA_SOURCES adds hosts (a CDN, a media bucket, video
# embeds) to images, media, frames and fetches.
CSP_EXTRA_SOURCES = envlist("CSP_EXTRA_SOURCES", "")
_CSP_COMMON = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:", *CSP_EXTRA_SOURCES],
    "font-src": ["'self'", "data:"],
    "media-src": ["'self'", "blob:", *CSP_EXTRA_SOURCES],
    "connect-src": ["'self'", *CSP_EXTRA_SOURCES],
    "frame-src": ["'self'", *CSP_EXTRA_SOURCES],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **_CSP_COMMON,
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
    }
}
# The Wagtail admin's widgets still carry inline scripts: inline is allowed
# there, scripts from other hosts are not.
DANGJIAN_ADMIN_CSP = {
    "DIRECTIVES": {
        **_CSP_COMMON,
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
    }
}

# Login throttling (django-axes; dangjian/orgs/throttle.py). An account is
# locked after LOGIN_FAILURES_PER_ACCOUNT failures, an address after
# LOGIN_FAILURES_PER_ADDRESS, for LOGIN_COOLOFF_MINUTES; admins unlock at
# 设置 → 登录锁定.
AXES_HANDLER = "dangjian.orgs.throttle.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURES_PER_ACCOUNT", "5")
DANGJIAN_LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", "30")
AXES_COOLOFF_TIME = _dt.timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", "15"))
AXES_CLIENT_IP_CALLABLE = "dangjian.lib.clientaddr.client_ip"
AXES_LOCKOUT_CALLABLE = "dangjian.orgs.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # the Django admin is not used; see orgs/views_axes.py
AXES_DISABLE_ACCESS_LOG = True  # no record of every successful login (addresses)
AXES_VERBOSE = False

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
# Files served only through permission-checked views (documents, expert
# attachments, videos, posters); must not lie inside MEDIA_ROOT.
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

# Notifications (dangjian/notify): WeChat template messages are off by default.
DANGJIAN_WECHAT_ENABLED = envbool("DANGJIAN_WECHAT_ENABLED", "False")
DANGJIAN_WECHAT_BASE_URL = env("DANGJIAN_WECHAT_BASE_URL", "https://api.weixin.qq.com")
DANGJIAN_WECHAT_APPID = env("DANGJIAN_WECHAT_APPID", "")
DANGJIAN_WECHAT_SECRET = envsecret("DANGJIAN_WECHAT_SECRET", "")
DANGJIAN_WECHAT_TEMPLATE_ID = env("DANGJIAN_WECHAT_TEMPLATE_ID", "")
DANGJIAN_NOTIFY_DIGEST_AFTER = envint("DANGJIAN_NOTIFY_DIGEST_AFTER", "5")
# Quiet hours "22-8" (Asia/Shanghai); empty turns them off.
_quiet = env("DANGJIAN_NOTIFY_QUIET_HOURS", "22-8").split("-")
DANGJIAN_NOTIFY_QUIET_HOURS = (
    (int(_quiet[0]), int(_quiet[1])) if len(_quiet) == 2 else None
)

# Party dues paid online (dangjian/orglife/payments.py): the key the payment
# provider signs its callbacks with; empty refuses every callback.
DANGJIAN_PAYMENT_SECRET = envsecret("DANGJIAN_PAYMENT_SECRET", "")

# 12345 tickets: callers' numbers are kept only as HMACs under this key.
DANGJIAN_TICKETS_CALLER_KEY = envsecret("DANGJIAN_TICKETS_CALLER_KEY", "")

# Votes (dangjian/voting)
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
# Write-behind buffers (view counts, the search log; dangjian/lib/writebehind.py):
# written to the database every N seconds (0: only by hand) or at N rows, by a
# flusher thread in each process; with Redis, set IN_PROCESS=False when
# `manage.py flush_buffers --loop` runs as a service.
DANGJIAN_WRITE_BEHIND_SECONDS = envint("DANGJIAN_WRITE_BEHIND_SECONDS", "10")
DANGJIAN_WRITE_BEHIND_ROWS = envint("DANGJIAN_WRITE_BEHIND_ROWS", "5000")
DANGJIAN_WRITE_BEHIND_IN_PROCESS = envbool("DANGJIAN_WRITE_BEHIND_IN_PROCESS", "True")

# Publicity (dangjian/publicity): outbound webhooks retried with backoff.
PUBLICITY_WEBHOOK_MAX_ATTEMPTS = envint("PUBLICITY_WEBHOOK_MAX_ATTEMPTS", "6")
PUBLICITY_WEBHOOK_RETRY_BASE_SECONDS = envint(
    "PUBLICITY_WEBHOOK_RETRY_BASE_SECONDS", "60"
)
PUBLICITY_WEBHOOK_TIMEOUT = envint("PUBLICITY_WEBHOOK_TIMEOUT", "10")
# Addresses users type in (webhooks) must be public unless this is on: see
# dangjian/lib/outbound.py (server-side request forgery).
OUTBOUND_ALLOW_PRIVATE = envbool("OUTBOUND_ALLOW_PRIVATE", "False")
