"""Statistics over finished attempts: participation, score distribution, item analysis.

Item analysis follows Moodle's quiz statistics report
(question/classes/statistics/questions/calculator.php):

* facility index F = average mark on the question / its maximum mark (as %);
* discrimination index D = 100 · cov(x, y) / sqrt(var(x) · var(y)), where x
  is the mark on the question and y the mark on the rest of the paper
  (total minus x), with sample (n − 1) variances;
* discriminative efficiency = 100 · cov(x, y) / covmax, covmax pairing the
  sorted x with the sorted y.

Like Moodle, questions drawn at random are analysed per question over the
attempts in which they appeared.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate

from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations
from dangjian.quiz.models import Attempt, Question


@dataclass
class ItemStats:
    question_id: int
    stem: str
    type: str
    attempts: int
    facility: float | None
    discrimination: float | None
    efficiency: float | None
    sd: float | None

    @property
    def flag(self) -> str:
        """A hint for editors, on Moodle's usual thresholds."""
        if self.attempts < 5:
            return ""
        if self.discrimination is not None and self.discrimination < 0:
            return "区分度为负，请检查答案"
        if self.facility is not None and self.facility < 10:
            return "极难，请检查答案或题干"
        if self.facility is not None and self.facility > 95:
            return "过于容易"
        if self.discrimination is not None and self.discrimination < 20:
            return "区分度低"
        return ""


def item_statistics(
    marks: dict[int, list[tuple[float, float, float]]],
) -> dict[int, dict]:
    """Computes F, D and DE from {question: [(mark, max mark, attempt total)]}."""
    out = {}
    for qid, rows in marks.items():
        s = len(rows)
        xs = [m for m, _mx, _t in rows]
        ys = [t - m for m, _mx, t in rows]
        maxmark = rows[0][1] if rows else 0
        mean_x = sum(xs) / s
        facility = 100 * mean_x / maxmark if maxmark else None
        discrimination = efficiency = sd = None
        if s > 1:
            mean_y = sum(ys) / s
            var_x = sum((x - mean_x) ** 2 for x in xs) / (s - 1)
            var_y = sum((y - mean_y) ** 2 for y in ys) / (s - 1)
            cov = sum(
                (x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)
            ) / (s - 1)
            covmax = sum(
                (x - mean_x) * (y - mean_y)
                for x, y in zip(sorted(xs), sorted(ys), strict=True)
            ) / (s - 1)
            sd = math.sqrt(var_x)
            if var_x * var_y:
                discrimination = 100 * cov / math.sqrt(var_x * var_y)
            if covmax:
                efficiency = 100 * cov / covmax
        out[qid] = {
            "attempts": s,
            "facility": facility,
            "discrimination": discrimination,
            "efficiency": efficiency,
            "sd": sd,
        }
    return out


def item_analysis(attempts) -> list[ItemStats]:
    marks: dict[int, list[tuple[float, float, float]]] = defaultdict(list)
    for paper, results, score in attempts.finished().values_list(
        "paper", "results", "score"
    ):
        total = float(score or 0)
        for item, result in zip(paper, results, strict=False):
            marks[item["q"]].append((float(result["s"]), float(item["p"]), total))
    computed = item_statistics(marks)
    questions = Question.objects.in_bulk(list(computed))
    rows = []
    for qid, figures in computed.items():
        q = questions.get(qid)
        rows.append(
            ItemStats(
                question_id=qid,
                stem=q.stem if q else "（已删除）",
                type=q.get_type_display() if q else "",
                **figures,
            )
        )
    rows.sort(key=lambda r: r.facility if r.facility is not None else 999)
    return rows


def score_distribution(attempts, bins: int = 10) -> list[dict]:
    """Counts of finished attempts by percentage band (0–10 %, …, 90–100 %)."""
    counts = [0] * bins
    for score, max_score in attempts.finished().values_list("score", "max_score"):
        if not max_score:
            continue
        percent = float(score or 0) * 100 / float(max_score)
        counts[min(int(percent * bins / 100), bins - 1)] += 1
    top = max(counts) or 1
    width = 100 // bins
    return [
        {
            "label": f"{i * width}–{(i + 1) * width}%",
            "count": c,
            "bar": round(100 * c / top),
        }
        for i, c in enumerate(counts)
    ]


def participation_by_unit(attempts) -> list[dict]:
    rows = (
        attempts.finished()
        .values("unit__name")
        .annotate(times=Count("id"), persons=Count("person", distinct=True))
        .order_by("-times", "unit__name")
    )
    return [
        {
            "unit": r["unit__name"] or "（未归属单位）",
            "times": r["times"],
            "persons": r["persons"],
        }
        for r in rows
    ]


def participation_by_day(attempts) -> list[dict]:
    rows = (
        attempts.finished()
        .annotate(date=TruncDate("submitted_at"))
        .values("date")
        .annotate(times=Count("id"), persons=Count("person", distinct=True))
        .order_by("date")
    )
    return [
        {"date": r["date"], "times": r["times"], "persons": r["persons"]} for r in rows
    ]


def summary(attempts) -> dict:
    finished = attempts.finished()
    return {
        "times": finished.count(),
        "persons": finished.values("person").distinct().count(),
    }


def attempts_visible_to(person, base=None):
    """Attempts a manager may analyse: all for platform admins, else their units'."""
    base = base if base is not None else Attempt.objects.all()
    if person.is_superuser:
        return base
    managed = managed_organisations(person, [Role.UNIT_ADMIN])
    return base.filter(unit__in=managed)
