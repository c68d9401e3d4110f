"""Settings for the votes benchmark's server: the project's, plus trusting the
load generator on 127.0.0.1 as a proxy so it can present many client networks
through X-Forwarded-For."""

from dangjian.settings import *  # noqa: F403

DANGJIAN_TRUST_X_FORWARDED_FOR = True
ALLOWED_HOSTS = ["*"]
