"""The one entry point capabilities call: ``notify(kind, to, context, event_key)``.

``notify`` only records the event (one ``Dispatch`` row, in the caller's
transaction) and, once that transaction commits, queues a background task
that resolves the audience, writes each person's copy and queues the
deliveries in batches. Nothing is sent inside the request that caused it,
and an event notified twice (same ``event_key``) is recorded once.

Who receives it:

* ``to``: a person, an iterable of people or person ids, or an ``Audience``
  (organisations, with or without their sub-organisations, resolved by
  ``orgs.scope.people_in``).
* ``scope``: for anything about a 党内 item, the item's own audience;
  nobody outside it is notified, whatever ``to`` says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from dangjian.notify.delivery import fan_out_task
from dangjian.notify.kinds import get_kind
from dangjian.notify.models import Dispatch


@dataclass(frozen=True)
class Audience:
    """Organisations (ids or objects), with or without their sub-organisations."""

    organisations: tuple[int, ...]
    include_descendants: bool = False

    @classmethod
    def of(cls, organisations: Iterable[Any], include_descendants: bool = False):
        ids = tuple(sorted({getattr(o, "pk", o) for o in organisations}))
        return cls(ids, include_descendants)


Recipients = Audience | Any


def _people_ids(to: Any) -> list[int]:
    if hasattr(to, "pk"):
        return [to.pk]
    return sorted({getattr(p, "pk", p) for p in to})


def notify(
    kind: str,
    to: Recipients,
    context: Mapping[str, Any] | None = None,
    event_key: str = "",
    *,
    scope: Audience | None = None,
) -> Dispatch | None:
    """Records one event and queues its delivery after commit.

    Returns the new ``Dispatch``, or None when this ``event_key`` was already
    notified. ``context`` must be JSON-serialisable (it is kept for the
    background task). Raises ``LookupError`` for an unregistered kind.
    """
    get_kind(kind)
    if not event_key:
        raise ValueError("notify() needs an event_key")
    fields: dict[str, Any] = {
        "kind": kind,
        "context": dict(context or {}),
        "scope": list(scope.organisations) if scope is not None else None,
        "scope_descendants": bool(scope and scope.include_descendants),
    }
    if isinstance(to, Audience):
        fields["audience"] = list(to.organisations)
        fields["include_descendants"] = to.include_descendants
    else:
        fields["people"] = _people_ids(to)
    if Dispatch.objects.filter(event_key=event_key[:200]).exists():
        return None
    try:
        with transaction.atomic():
            dispatch = Dispatch.objects.create(event_key=event_key[:200], **fields)
    except IntegrityError:  # the same event, recorded by a concurrent request
        return None
    transaction.on_commit(lambda: fan_out_task.enqueue(dispatch.pk))
    return dispatch
