"""A ticket as the API and the pages show it (the caller only masked)."""

from __future__ import annotations

from typing import Any

from dangjian.tickets.models import Ticket


def ticket_dict(ticket: Ticket, *, timeline: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": ticket.pk,
        "number": ticket.number,
        "channel": ticket.channel,
        "caller_name": ticket.caller_name,
        "caller_phone": ticket.caller_phone,
        "text": ticket.text,
        "domain": ticket.domain,
        "type": ticket.message_type,
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "unit": (
            {"id": ticket.unit_id, "name": ticket.unit.name}
            if ticket.unit is not None
            else None
        ),
        "suggested": {
            "domain": ticket.suggested_domain,
            "type": ticket.suggested_type,
            "unit_id": ticket.suggested_unit_id,
            "confidence": ticket.confidence,
            "model_version": ticket.model_version,
        },
        "kb_entry": (
            {"id": ticket.kb_entry_id, "title": ticket.kb_entry_title}
            if ticket.kb_entry_id
            else None
        ),
        "received_on": ticket.received_on,
        "sign_due": ticket.sign_due,
        "reply_due": ticket.reply_due,
        "signed_at": ticket.signed_at,
        "replied_at": ticket.replied_at,
        "reply": ticket.reply,
        "send_backs": ticket.send_backs,
        "reopens": ticket.reopens,
        "extension": (
            {"days": ticket.extension_days, "reason": ticket.extension_reason}
            if ticket.extension_pending
            else None
        ),
        "escalated_at": ticket.escalated_at,
        "satisfaction": ticket.satisfaction,
        "closed_at": ticket.closed_at,
        "url": ticket.get_absolute_url(),
    }
    if timeline:
        body["timeline"] = [
            {
                "action": e.action,
                "label": e.get_action_display(),
                "actor": (e.actor.get_full_name() or e.actor.get_username())
                if e.actor
                else "系统",
                "unit": e.unit.name if e.unit else "",
                "note": e.note,
                "at": e.created_at,
            }
            for e in ticket.events.select_related("actor", "unit")
        ]
    return body
