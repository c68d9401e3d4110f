"""Settings for the views benchmark's server: the project's, with view
counting switched by DANGJIAN_VIEW_COUNTING (settings.py reads it, and the
write-behind interval DANGJIAN_WRITE_BEHIND_SECONDS, itself)."""

from dangjian.settings import *  # noqa: F403

ALLOWED_HOSTS = ["*"]
# No collectstatic before a benchmark: static URLs without a manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
