"""Importing a history of tickets from labelled citizen messages.

Each message becomes a ticket taken in at a moment of the period; its later
steps (dispatch, sign, reply, follow-up, now and then a send-back, an
extension or a reopening) are taken through the same ``actions`` as
operators and units take them, each at its own moment, as long as that
moment has passed: a recent message is still waiting for dispatch or for
the unit, an older one is answered or closed. The demo loads the real
messages through it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from dangjian.lib import plugins
from dangjian.orgs.models import Organisation
from dangjian.tickets import actions
from dangjian.tickets.classifier import Example
from dangjian.tickets.models import CONSULT, TYPES, Channel, Satisfaction, Ticket
from dangjian.tickets.routing import unit_for

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
REPLIES = {
    "咨询": "经核实，已电话告知来电人办理条件、所需材料和办理地点。",
    "投诉/求助": "已到现场核实并督促整改，问题已处理，已向来电人反馈。",
    "建言": "感谢建议，已转相关科室研究，将在工作中统筹考虑。",
}


@dataclass
class ImportSummary:
    created: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _hours(h: float) -> dt.timedelta:
    return dt.timedelta(hours=h)


@transaction.atomic
def import_history(
    rows: Iterable[Example],
    *,
    operator: Any,
    handler_for: Callable[[Organisation], Any],
    now: dt.datetime,
    days: int = 30,
    seed: int = 12345,
) -> ImportSummary:
    """Tickets of ``rows`` taken in over the ``days`` before ``now``."""
    rng = random.Random(seed)
    kb = plugins.provided(plugins.KNOWLEDGE_BASE)
    summary = ImportSummary()
    rows = [r for r in rows if r.text and r.message_type in TYPES]
    moments = sorted(
        now - dt.timedelta(seconds=rng.uniform(0, days * 86400)) for _ in rows
    )
    callers: list[str] = []
    for row, received in zip(rows, moments, strict=True):
        if callers and rng.random() < 0.12:
            phone = rng.choice(callers)  # a repeat caller
        else:
            phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            callers.append(phone)
        name = rng.choice(SURNAMES) + rng.choice(("先生", "女士"))
        channel = rng.choices(
            [Channel.PHONE, Channel.WEB, Channel.WECHAT, Channel.LETTER],
            [70, 15, 12, 3],
        )[0]
        unit = unit_for(row.text, row.domain)
        entry = None
        if kb is not None and row.message_type == CONSULT and rng.random() < 0.5:
            hits = kb.search(row.text[:200], limit=1)
            entry = hits[0] if hits else None
        dispatch_now = unit is not None and entry is None and rng.random() < 0.8
        ticket = actions.check_receive(
            actions.Intake(
                text=row.text,
                channel=channel,
                caller_name=name,
                caller_phone=phone,
                domain=row.domain,
                message_type=row.message_type,
                unit_id=unit.pk if dispatch_now and unit else None,
                kb_entry_id=entry.id if entry else None,
            ),
            user=operator,
            when=received,
        )
        if entry is None and unit is not None:
            _advance(ticket, unit, received, now, rng, operator, handler_for)
        summary.created += 1
    summary.by_status = {
        status: Ticket.objects.filter(status=status).count()
        for status in Ticket.objects.values_list("status", flat=True).distinct()
    }
    return summary


def _advance(
    ticket: Ticket,
    unit: Organisation,
    received: dt.datetime,
    now: dt.datetime,
    rng: random.Random,
    operator: Any,
    handler_for: Callable[[Organisation], Any],
) -> None:
    """The ticket's later steps, each taken if its moment has passed."""
    t = received
    handler = handler_for(unit)

    def step(after: dt.timedelta, fn: Callable[[], object]) -> bool:
        nonlocal t
        if t + after > now:
            return False
        t = t + after
        with actions.happening_at(t):
            fn()
        return True

    if ticket.unit_id is None and not step(
        _hours(rng.uniform(0.1, 3)),
        lambda: actions.check_dispatch(ticket, unit.pk, user=operator),
    ):
        return
    if rng.random() < 0.05:
        step(
            _hours(rng.uniform(1, 20)),
            lambda: actions.check_send_back(
                ticket, "经核实不属于本单位职责，请重新派单。", user=handler
            ),
        )
        return
    # Most units sign within a working day; some are late (escalated later).
    late = rng.random() < 0.1
    if not step(
        _hours(rng.uniform(26, 80) if late else rng.uniform(0.5, 20)),
        lambda: actions.check_sign(ticket, user=handler),
    ):
        return
    if rng.random() < 0.06:
        step(
            _hours(rng.uniform(2, 24)),
            lambda: actions.check_request_extension(
                ticket, 3, "需协调多个部门现场核查。", user=handler
            ),
        )
        step(
            _hours(rng.uniform(1, 8)),
            lambda: actions.check_decide_extension(
                ticket, rng.random() < 0.8, user=operator
            ),
        )
    reply = REPLIES.get(ticket.message_type, REPLIES["咨询"])
    if not step(
        _hours(rng.uniform(4, 24 * (3 if ticket.message_type == CONSULT else 6))),
        lambda: actions.check_reply(ticket, reply, user=handler),
    ):
        return
    satisfaction = rng.choices(
        [Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED],
        [70, 20, 10],
    )[0]
    if not step(
        _hours(rng.uniform(4, 48)),
        lambda: actions.check_follow_up(ticket, satisfaction, user=operator),
    ):
        return
    ticket.refresh_from_db()
    if ticket.status == "signed":  # reopened once
        if step(
            _hours(rng.uniform(24, 72)),
            lambda: actions.check_reply(
                ticket, reply + "已再次上门处理。", user=handler
            ),
        ):
            step(
                _hours(rng.uniform(4, 24)),
                lambda: actions.check_follow_up(
                    ticket, Satisfaction.BASICALLY, user=operator
                ),
            )


def rule_units(rules: Mapping[str, str]) -> dict[str, Organisation]:
    names = Organisation.objects.filter(name__in=set(rules.values()), is_active=True)
    by_name = {o.name: o for o in names}
    return {key: by_name[name] for key, name in rules.items() if name in by_name}
