"""Drawing a paper: stratified by the template's rules, no duplicates, seeded.

The usable bank is held in process memory as id lists per (type, category,
difficulty), so a draw touches the database only to learn which questions
the person saw recently. The pool is rebuilt when this process changed the
bank (``invalidate_pool``) or, for changes made by other processes, when the
bank's fingerprint (count and last change) differs; that fingerprint is
checked at most every ``POOL_CHECK_SECONDS``.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from dangjian.quiz.models import PaperTemplate, Question, QuestionType
from dangjian.quiz.rows import recent_rows

POOL_CHECK_SECONDS = 2.0


@dataclass
class Pool:
    fingerprint: tuple
    checked_at: float
    by_key: dict[tuple, list[int]]
    types: dict[int, str]
    option_counts: dict[int, int]
    _unions: dict[tuple, list[int]] = field(default_factory=dict)
    # Question rows and templates read since the pool was built; they are
    # dropped with it when the bank changes.
    questions: dict[int, Question] = field(default_factory=dict)
    templates: dict[str, tuple[float, PaperTemplate]] = field(default_factory=dict)

    def candidates(self, qtype: str, category: str, difficulty: int | None):
        key = (qtype, category or None, difficulty)
        if key in self.by_key:
            return self.by_key[key]
        if key not in self._unions:
            self._unions[key] = sorted(
                qid
                for (t, c, d), ids in self.by_key.items()
                if t == qtype
                and (not category or c == category)
                and (difficulty is None or d == difficulty)
                for qid in ids
            )
        return self._unions[key]


_lock = threading.Lock()
_pool: Pool | None = None


def _fingerprint() -> tuple:
    row = Question.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    return (row["n"], row["changed"])


def _build_pool(fingerprint: tuple) -> Pool:
    by_key: dict[tuple, list[int]] = {}
    types: dict[int, str] = {}
    option_counts: dict[int, int] = {}
    rows = Question.objects.usable().values_list(
        "id", "type", "category", "difficulty", "options"
    )
    for qid, qtype, category, difficulty, options in rows.order_by("id"):
        by_key.setdefault((qtype, category, difficulty), []).append(qid)
        types[qid] = qtype
        option_counts[qid] = len(options or [])
    return Pool(fingerprint, time.monotonic(), by_key, types, option_counts)


def get_pool() -> Pool:
    global _pool
    pool = _pool
    now = time.monotonic()
    if pool is not None and now - pool.checked_at < POOL_CHECK_SECONDS:
        return pool
    with _lock:
        fingerprint = _fingerprint()
        if _pool is None or _pool.fingerprint != fingerprint:
            _pool = _build_pool(fingerprint)
        else:
            _pool.checked_at = now
        return _pool


def invalidate_pool() -> None:
    """Forgets the pool; call after changing the bank in this process."""
    global _pool
    with _lock:
        _pool = None


def get_questions(ids) -> dict[int, Question]:
    """Question rows by id, read once per process while the bank is unchanged."""
    pool = get_pool()
    cache = pool.questions
    missing = [qid for qid in ids if qid not in cache]
    if missing:
        cache.update(Question.objects.in_bulk(missing))
    return {qid: cache[qid] for qid in ids if qid in cache}


def get_template(slug: str = "", *, mode: str = "") -> PaperTemplate | None:
    """An active template (by slug, or the first of a mode) with its rules,
    kept a few seconds per process."""
    pool = get_pool()
    now = time.monotonic()
    key = f"{slug}#{mode}"
    cached = pool.templates.get(key)
    if cached and now - cached[0] < POOL_CHECK_SECONDS:
        return cached[1]
    templates = PaperTemplate.objects.active().order_by("id")
    templates = templates.filter(slug=slug) if slug else templates.filter(mode=mode)
    template = templates.first()
    if template is not None:
        template_rules(template)
        template_fixed(template)
    pool.templates[key] = (now, template)
    return template


def get_template_by_id(pk: int) -> PaperTemplate:
    """The template an attempt was drawn from (active or not), kept a few
    seconds per process like ``get_template``."""
    pool = get_pool()
    now = time.monotonic()
    key = f"#{pk}"
    cached = pool.templates.get(key)
    if cached and now - cached[0] < POOL_CHECK_SECONDS:
        return cached[1]
    template = PaperTemplate.objects.get(pk=pk)
    pool.templates[key] = (now, template)
    return template


def recent_question_ids(person, template: PaperTemplate, attempts=None) -> set[int]:
    """Questions of the person's last attempts on this template."""
    if not template.avoid_recent_attempts or person is None:
        return set()
    if attempts is None:
        attempts = recent_attempts(person, template, template.avoid_recent_attempts)
    return {
        qid
        for attempt in attempts[: template.avoid_recent_attempts]
        for qid in attempt.question_ids
    }


@dataclass
class RecentAttempt:
    id: int
    status: str
    contest_id: int | None
    # Only for an attempt in progress; None once it is finished.
    deadline: object
    question_ids: list[int]


def recent_attempts(person, template: PaperTemplate, count: int) -> list[RecentAttempt]:
    """The person's last attempts on the template, only what a start needs."""
    rows = recent_rows(person.pk, template.pk, max(count, 1))
    return [RecentAttempt(*row) for row in rows]


def template_rules(template: PaperTemplate) -> list:
    # Rules are cached on the instance; templates are few and rarely edited.
    cached = getattr(template, "_quiz_rules", None)
    if cached is None:
        cached = list(template.rules.all())
        template._quiz_rules = cached
    return cached


def template_fixed(template: PaperTemplate) -> list[tuple[int, str, list | None]]:
    """The template's usable fixed questions: (id, type, options)."""
    cached = getattr(template, "_quiz_fixed", None)
    if cached is None:
        cached = list(
            Question.objects.usable()
            .filter(fixed_in_templates=template)
            .order_by("id")
            .values_list("id", "type", "options")
        )
        template._quiz_fixed = cached
    return cached


def draw_paper(
    template: PaperTemplate, seed: int, avoid: set[int] | frozenset = frozenset()
) -> list[dict]:
    """Returns the paper: [{"q": id, "p": points, "o": option order}, ...].

    The same template, seed and ``avoid`` set give the same paper. Questions
    in ``avoid`` are drawn only when a rule cannot be filled without them.
    """
    rng = random.Random(seed)
    paper: list[dict] = []
    fixed = template_fixed(template)
    if fixed:
        points = str(template.fixed_points)
        for qid, qtype, options in fixed:
            paper.append(_item(template, rng, qid, qtype, len(options or []), points))
        return paper
    rules = template_rules(template)
    if not rules:
        raise ValidationError(_("该组卷规则没有抽题规则，也没有固定试题"))
    pool = get_pool()
    chosen: set[int] = set()
    picks: dict[int, list[int]] = {}
    # Narrow rules pick first, so a broad rule ("any single choice") cannot
    # use up the questions a narrow one ("single choice on 二十大") needs.
    by_specificity = sorted(
        range(len(rules)),
        key=lambda i: (not rules[i].category, rules[i].difficulty is None, i),
    )
    for index in by_specificity:
        rule = rules[index]
        candidates = pool.candidates(rule.question_type, rule.category, rule.difficulty)
        fresh = [q for q in candidates if q not in avoid and q not in chosen]
        if len(fresh) >= rule.count:
            picked = rng.sample(fresh, rule.count)
        else:
            seen = [q for q in candidates if q in avoid and q not in chosen]
            if len(fresh) + len(seen) < rule.count:
                raise ValidationError(
                    _("题库中可用的%(type)s%(category)s不足 %(n)d 道")
                    % {
                        "type": QuestionType(rule.question_type).label,
                        "category": f"（{rule.category}）" if rule.category else "",
                        "n": rule.count,
                    }
                )
            picked = fresh + rng.sample(seen, rule.count - len(fresh))
            rng.shuffle(picked)
        chosen.update(picked)
        picks[index] = picked
    for index, rule in enumerate(rules):
        points = str(rule.points)
        for qid in picks[index]:
            paper.append(
                _item(
                    template,
                    rng,
                    qid,
                    pool.types[qid],
                    pool.option_counts[qid],
                    points,
                )
            )
    if template.is_challenge:
        # A challenge mixes the types instead of running through them in blocks.
        rng.shuffle(paper)
    return paper


def _item(template, rng, qid, qtype, option_count, points: str) -> dict:
    order = list(range(option_count))
    # True/false keeps 正确 before 错误: shuffling it only confuses people.
    if template.shuffle_options and qtype in ("single", "multiple"):
        rng.shuffle(order)
    return {"q": qid, "p": points, "o": order}
