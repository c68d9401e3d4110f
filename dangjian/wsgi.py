import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")

application = get_wsgi_application()

# The public's votes and knowledge-base searches skip Django's request cycle
# (dangjian/lib/fastpath.py).
from dangjian.kb.fastpath import KbSearchFastPath  # noqa: E402
from dangjian.voting.fastpath import VoteFastPath  # noqa: E402

application = KbSearchFastPath(VoteFastPath(application))
