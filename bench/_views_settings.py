"""Settings for the views benchmark's server: the project's, with view
counting switched by DANGJIAN_VIEW_COUNTING and the buffer's flush interval
by DANGJIAN_VIEW_FLUSH_SECONDS (until settings.py reads them itself)."""

from dangjian.lib.env import envbool, envint
from dangjian.settings import *  # noqa: F403

ALLOWED_HOSTS = ["*"]
DANGJIAN_VIEW_COUNTING = envbool("DANGJIAN_VIEW_COUNTING", "True")
DANGJIAN_VIEW_FLUSH_SECONDS = envint("DANGJIAN_VIEW_FLUSH_SECONDS", "10")
# No collectstatic before a benchmark: static URLs without a manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
