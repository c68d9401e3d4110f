"""Choosing the expert for an enterprise's question.

The rule, in order:

1. Relevance of each active expert: ``DOMAIN_WEIGHT`` when the expert covers
   the question's domain, plus one per term shared between the question's
   words (segmented with rjieba) and the expert's own keywords and the
   keywords of the domains the expert covers.
2. Experts within ``SLACK`` of the best relevance are equally suitable; among
   them the one with the fewest open questions gets it (load balancing), then
   the more relevant, then the longest-serving (lowest id) for a stable result.
3. When no expert is relevant at all, the least-loaded active expert takes
   it, so that no question waits for an admin to notice it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import rjieba

from dangjian.experts.models import Expert, PolicyDomain

DOMAIN_WEIGHT = 10
SLACK = 1

# Words that say nothing about the policy area of a question.
STOPWORDS = frozenset(
    "我们 我司 公司 企业 请问 咨询 什么 怎么 如何 哪些 是否 可以 能否 需要 有关 关于 "
    "政策 问题 情况 相关 办理 一下 这个 那个 目前 现在 已经 因为 所以 如果 还是".split()
)
SEPARATORS = re.compile(r"[\s,，、;；/|]+")


def split_keywords(text: str) -> list[str]:
    return [word for word in SEPARATORS.split(text or "") if word]


def terms_of(text: str) -> set[str]:
    """The meaningful words of a text: rjieba search-mode tokens of two or more
    characters, lowercased, without stopwords."""
    tokens = rjieba.cut_for_search(text or "")
    return {
        token.lower()
        for token in tokens
        if len(token.strip()) >= 2 and token not in STOPWORDS
    }


@functools.lru_cache(maxsize=4096)
def _keyword_terms(keywords: tuple[str, ...]) -> frozenset[str]:
    terms = set()
    for keyword in keywords:
        if len(keyword) >= 2:
            terms.add(keyword.lower())
        terms |= terms_of(keyword)
    return frozenset(terms)


def keyword_terms(keywords: list[str]) -> frozenset[str]:
    """An expert's keywords, whole and segmented, so that "社保缓缴" also
    matches a question that says "缓缴社保"."""
    return _keyword_terms(tuple(keywords))


@dataclass(frozen=True)
class Candidate:
    expert: Expert
    relevance: int
    open_count: int


def rank_experts(
    domain: PolicyDomain | None, text: str, experts: Iterable[Expert]
) -> list[Candidate]:
    """Every expert with its relevance to the question, best choice first."""
    words = terms_of(text)
    compact_text = "".join((text or "").split()).lower()
    candidates = []
    for expert in experts:
        domains = list(expert.domains.all())
        keywords = split_keywords(expert.keywords)
        for d in domains:
            keywords += split_keywords(d.keywords)
        terms = keyword_terms(keywords)
        # A whole keyword found in the text counts even when segmentation
        # cut the text differently.
        overlap = {
            t for t in terms if t in words or (len(t) >= 3 and t in compact_text)
        }
        relevance = len(overlap)
        if domain is not None and any(d.pk == domain.pk for d in domains):
            relevance += DOMAIN_WEIGHT
        candidates.append(
            Candidate(expert, relevance, getattr(expert, "open_count", 0) or 0)
        )
    if not candidates:
        return []
    best = max(c.relevance for c in candidates)
    return sorted(
        candidates,
        key=lambda c: (
            c.relevance < best - SLACK if best > 0 else False,
            c.open_count,
            -c.relevance,
            c.expert.pk,
        ),
    )


def choose_expert(domain: PolicyDomain | None, text: str) -> Expert | None:
    """Returns the expert who should answer a question, or None when there is none."""
    experts = Expert.objects.active().with_open_counts().prefetch_related("domains")
    ranked = rank_experts(domain, text, experts)
    return ranked[0].expert if ranked else None
