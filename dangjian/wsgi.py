import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")

application = get_wsgi_application()

# The public's votes skip Django's request cycle (dangjian/voting/fastpath.py).
from dangjian.voting.fastpath import VoteFastPath  # noqa: E402

application = VoteFastPath(application)
