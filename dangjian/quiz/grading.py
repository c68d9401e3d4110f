"""Normalising text and grading one response. Pure functions, no database."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from decimal import Decimal

from dangjian.quiz.models import QuestionType, Scoring

# Separators people type between blanks or inside an answer: they carry no
# meaning for grading ("净化、完善" equals "净化 完善" equals "净化，完善").
_IGNORED = re.compile(r"[\s、，,；;。.．·:：“”\"'‘’「」《》()（）\[\]【】_-]+")


def normalize_text(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, no whitespace or punctuation."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return _IGNORED.sub("", text).lower()


_BLANK = re.compile(r"（\s*）|\(\s*\)|_{2,}|＿{2,}")


def dedup_key(stem: str, options: list[str]) -> str:
    """Identifies a question regardless of blank markers, spacing and punctuation.

    The options belong to the key because some banks reuse a generic stem
    ("选择词语的正确词形（ ）。") for different questions.
    """
    core = normalize_text(_BLANK.sub("", stem))
    opts = "|".join(sorted(normalize_text(o) for o in options))
    return hashlib.sha1(f"{core}#{opts}".encode()).hexdigest()


def _to_index_set(response, option_count: int) -> set[int] | None:
    """Accepts [0, 2], "AC" or "0,2"; returns canonical-free display indexes."""
    if response is None or response == "" or response == []:
        return set()
    if isinstance(response, str):
        letters = response.strip().upper().replace(",", "").replace(" ", "")
        if letters.isdigit() and len(letters) == 1:
            items = [int(letters)]
        elif letters.isalpha():
            items = [ord(ch) - 65 for ch in letters]
        else:
            return None
    elif isinstance(response, int) and not isinstance(response, bool):
        items = [response]
    elif isinstance(response, list):
        items = []
        for item in response:
            if isinstance(item, bool) or not isinstance(item, (int, str)):
                return None
            if isinstance(item, str):
                item = item.strip().upper()
                if len(item) == 1 and item.isalpha():
                    item = ord(item) - 65
                elif item.isdigit():
                    item = int(item)
                else:
                    return None
            items.append(item)
    else:
        return None
    if any(i < 0 or i >= option_count for i in items):
        return None
    return set(items)


def clean_response(qtype: str, response, option_count: int, blanks: int):
    """Validates a response to a question as shown; returns the stored form or raises ValueError."""
    if qtype == QuestionType.FILL:
        if response is None:
            return []
        if isinstance(response, str):
            response = [response]
        if not isinstance(response, list) or not all(
            isinstance(x, (str, int, float)) and not isinstance(x, bool)
            for x in response
        ):
            raise ValueError("填空题的答案应为文字列表")
        if len(response) > max(blanks, 1):
            raise ValueError("填写的空数多于题目的空数")
        return [str(x)[:200] for x in response]
    chosen = _to_index_set(response, option_count)
    if chosen is None:
        raise ValueError("选项无效")
    if qtype in (QuestionType.SINGLE, QuestionType.JUDGE) and len(chosen) > 1:
        raise ValueError("单选题和判断题只能选一项")
    return sorted(chosen)


def grade_item(
    qtype: str,
    answer: list,
    response,
    option_order: list[int],
    points: Decimal,
    scoring: str,
) -> tuple[Decimal, bool]:
    """Returns (score, fully correct) for one stored response.

    ``response`` holds indexes as displayed; ``option_order[i]`` is the
    canonical index of displayed option i.
    """
    if qtype == QuestionType.FILL:
        given = [normalize_text(x) for x in (response or [])]
        if len(answer) == 1 and len(given) > 1:
            # One reference answer for several blanks: compare the whole text.
            given = ["".join(given)]
        hits = 0
        for i, alternatives in enumerate(answer):
            if (
                i < len(given)
                and given[i]
                and given[i] in {normalize_text(a) for a in alternatives}
            ):
                hits += 1
        if hits == len(answer):
            return points, True
        if scoring == Scoring.PARTIAL and answer:
            return _round(points * hits / len(answer)), False
        return Decimal(0), False

    chosen = {option_order[i] for i in (response or []) if 0 <= i < len(option_order)}
    correct = set(answer)
    if chosen == correct:
        return points, True
    if (
        qtype == QuestionType.MULTIPLE
        and scoring == Scoring.PARTIAL
        and chosen
        and chosen < correct
    ):
        return _round(points * len(chosen) / len(correct)), False
    return Decimal(0), False


def _round(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"))
