"""Finds the passage of a source text (the 20th Congress report) that holds a
question's answer, so the explanation can quote it with its section.

A plain overlap of character bigrams between the question with its answer
filled in and each paragraph: the report is a few hundred paragraphs, and
a question drawn from it repeats one of them almost word for word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dangjian.quiz.models import Question

BLANK = re.compile(r"_{2,}|（\s*）|\(\s*\)")
NOT_TEXT = re.compile(r"[\s，。、；：！？“”‘’《》（）()【】—…·,.;:!?\"'<>/b]+")
# Below this share of the question's bigrams found in the paragraph, the
# question is not taken from it.
MIN_OVERLAP = 0.6


@dataclass(frozen=True)
class Passage:
    section: str
    text: str
    url: str = ""


def _bigrams(text: str) -> set[str]:
    text = NOT_TEXT.sub("", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _answer_parts(answer_texts: Iterable[str]) -> list[str]:
    parts: list[str] = []
    for text in answer_texts:
        parts += [p for p in re.split(r"[、，,；;/\s]+", text) if len(p) >= 2]
    return parts


def filled(stem: str, answer_texts: list[str]) -> str:
    """The stem with its blanks replaced by the answer (in order), or the
    stem followed by the answer when the blanks cannot be matched."""
    parts = _answer_parts(answer_texts)
    blanks = BLANK.findall(stem)
    if blanks and len(blanks) == len(parts):
        it = iter(parts)
        return BLANK.sub(lambda _m: next(it), stem)
    if len(blanks) == 1:
        return BLANK.sub("、".join(answer_texts), stem)
    return BLANK.sub("", stem) + "".join(answer_texts)


class PassageFinder:
    """Searches the paragraphs of one text (each with its section title)."""

    def __init__(self, paragraphs: Iterable[Passage]):
        self.paragraphs = [
            (p, NOT_TEXT.sub("", p.text), _bigrams(p.text))
            for p in paragraphs
            if p.text
        ]

    def find(self, stem: str, answer_texts: list[str]) -> Passage | None:
        """The paragraph that contains every part of the answer and most of
        the question's words, or None."""
        wanted = _bigrams(filled(stem, answer_texts))
        parts = [NOT_TEXT.sub("", p) for p in _answer_parts(answer_texts)]
        if not wanted or not parts:
            return None
        best: Passage | None = None
        best_score = MIN_OVERLAP
        for passage, plain, grams in self.paragraphs:
            if not all(part in plain for part in parts):
                continue
            score = len(wanted & grams) / len(wanted)
            if score >= best_score:
                best, best_score = passage, score
        return best


def answer_texts(question: Question) -> list[str]:
    """The right answer as words: the chosen options, or each blank's first
    accepted wording. True/false questions have none to look for."""
    if question.type == "fill":
        return [alts[0] for alts in question.answer if alts]
    if question.type in ("single", "multiple"):
        return [
            question.options[i] for i in question.answer if i < len(question.options)
        ]
    return []
