"""Routing a message: the stored classifier's domain and type, and the unit
the dispatch rules give that domain (or a keyword in the text)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from dangjian.orgs.models import Organisation
from dangjian.tickets.classifier import Classifier, Prediction, Trained
from dangjian.tickets.models import DispatchModel, DispatchRule

_lock = threading.Lock()
_loaded: dict[str, Any] = {"version": None, "classifier": None}


def active_classifier() -> tuple[int | None, Classifier | None]:
    """The newest stored model, loaded once per process and version."""
    latest = (
        DispatchModel.objects.order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    if latest is None:
        return None, None
    if _loaded["version"] != latest:
        with _lock:
            if _loaded["version"] != latest:
                blob = DispatchModel.objects.get(version=latest).blob
                _loaded["classifier"] = Classifier.loads(bytes(blob))
                _loaded["version"] = latest
    return latest, _loaded["classifier"]


def forget_loaded() -> None:
    _loaded.update(version=None, classifier=None)


@transaction.atomic
def store(trained: Trained, corrections: int = 0) -> DispatchModel:
    last = DispatchModel.objects.select_for_update().order_by("-version").first()
    return DispatchModel.objects.create(
        version=(last.version + 1) if last else 1,
        blob=trained.classifier.dumps(),
        method=trained.classifier.method,
        metrics={**trained.metrics, "seconds": trained.seconds},
        training_rows=trained.training_rows,
        corrections=corrections,
    )


def unit_for(text: str, domain: str) -> Organisation | None:
    """The unit of the first matching keyword rule, else of the domain's rule."""
    rules = list(
        DispatchRule.objects.filter(is_active=True, unit__is_active=True)
        .select_related("unit")
        .order_by("-priority", "pk")
    )
    for rule in rules:
        if rule.keywords and any(k in text for k in rule.keyword_list()):
            return rule.unit
    for rule in rules:
        if rule.domain and rule.domain == domain and not rule.keywords:
            return rule.unit
    return None


@dataclass
class Route:
    prediction: Prediction | None
    unit: Organisation | None
    version: int | None
    alternatives: list[dict[str, Any]] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        if self.prediction is None:
            return 0.0
        return round(
            self.prediction.domain_confidence * self.prediction.type_confidence, 3
        )

    def as_dict(self) -> dict[str, Any]:
        p = self.prediction
        return {
            "domain": p.domain if p else "",
            "type": p.message_type if p else "",
            "unit": {"id": self.unit.pk, "name": self.unit.name} if self.unit else None,
            "confidence": self.confidence,
            "domain_confidence": p.domain_confidence if p else 0.0,
            "type_confidence": p.type_confidence if p else 0.0,
            "alternatives": self.alternatives,
            "model_version": self.version,
        }


def route(text: str) -> Route:
    version, classifier = active_classifier()
    if classifier is None:
        return Route(None, unit_for(text, ""), None)
    prediction = classifier.predict(text)
    unit = unit_for(text, prediction.domain)
    alternatives = []
    for domain, p in prediction.domains[1:4]:
        other = unit_for("", domain)
        alternatives.append(
            {
                "domain": domain,
                "confidence": round(p, 3),
                "unit": {"id": other.pk, "name": other.name} if other else None,
            }
        )
    return Route(prediction, unit, version, alternatives)
