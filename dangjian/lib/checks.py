"""System checks of the foundation: the WSGI fast paths still match Django.

A fast path (`dangjian.lib.fastpath`) answers its requests without Django's
middleware. Each middleware of ``settings.MIDDLEWARE`` was reviewed for
them (``MIDDLEWARE_REVIEW``: replicated, or knowingly skipped and why). A
middleware added later was not: until someone says what the fast paths do
about it, their answers may lack what it does (a header, a refusal, a
redirect), and the check says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

ID_UNREVIEWED_MIDDLEWARE = "dangjian.W001"
ID_COMMON_MIDDLEWARE_ACTS = "dangjian.W002"

COMMON_MIDDLEWARE = "django.middleware.common.CommonMiddleware"


@register(Tags.security)
def check_fast_paths_know_the_middleware(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from dangjian.lib.fastpath import MIDDLEWARE_REVIEW

    warnings: list[CheckMessage] = [
        Warning(
            f"中间件 {name} 未经快速通道（投票、知识库检索）评审：快速通道绕过"
            "Django 的中间件，它们的应答不会经过这个中间件。",
            hint="评审后在 dangjian/lib/fastpath.py 的 MIDDLEWARE_REVIEW 中写明"
            "快速通道复现它还是有意跳过它，以及理由；或设置 VOTING_FAST_PATH="
            "False、KB_SEARCH_FAST_PATH=False 关闭快速通道。",
            obj=name,
            id=ID_UNREVIEWED_MIDDLEWARE,
        )
        for name in settings.MIDDLEWARE
        if name not in MIDDLEWARE_REVIEW
    ]
    if COMMON_MIDDLEWARE in settings.MIDDLEWARE and (
        settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS
    ):
        warnings.append(
            Warning(
                "CommonMiddleware 的 PREPEND_WWW 或 DISALLOWED_USER_AGENTS 已开启，"
                "快速通道不会执行它们（评审时二者均为关闭）。",
                hint="重新评审 dangjian/lib/fastpath.py 中 CommonMiddleware 一项，"
                "或关闭快速通道。",
                obj=COMMON_MIDDLEWARE,
                id=ID_COMMON_MIDDLEWARE_ACTS,
            )
        )
    return warnings
