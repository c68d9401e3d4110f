"""Who reaches which tickets: the shared "own unit only" policy
(``dangjian.orgs.permissions``). A ticket belongs to the unit it is
dispatched to; that unit's admins, editors (承办人) and approvers (its
leaders) handle it. The hotline centre's operators (话务员) hold
``tickets.operate_hotline`` and reach every ticket: they take calls in,
dispatch, decide extensions and follow up."""

from __future__ import annotations

from typing import Any, cast

from wagtail.permission_policies import ModelPermissionPolicy

from dangjian.orgs.models import Role
from dangjian.orgs.permissions import UnitPermissionPolicy
from dangjian.orgs.scope import managed_organisations
from dangjian.tickets.models import DispatchRule, Ticket, TicketEvent, TicketQuerySet

OPERATE = "tickets.operate_hotline"
HANDLER_ROLES = [Role.UNIT_ADMIN, Role.EDITOR, Role.APPROVER]
LEADER_ROLES = [Role.APPROVER, Role.UNIT_ADMIN]


class ReadOnlyPolicy(UnitPermissionPolicy):
    """Tickets and their steps change only through the steps (``actions``):
    the admin lists and inspects them, nothing more."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action != "view":
            return False
        return super().user_has_permission(user, action)


class ViewOnlyPolicy(ModelPermissionPolicy):
    """Trained models are written by ``train_dispatch`` only: the admin
    lists and inspects them."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action != "view":
            return False
        return super().user_has_permission(user, action)


def policies() -> list[UnitPermissionPolicy]:
    return [
        ReadOnlyPolicy(
            Ticket,
            unit_field="unit",
            roles=HANDLER_ROLES,
            every_unit_permission=OPERATE,
        ),
        ReadOnlyPolicy(
            TicketEvent,
            unit_field="ticket__unit",
            roles=HANDLER_ROLES,
            every_unit_permission=OPERATE,
        ),
        UnitPermissionPolicy(
            DispatchRule,
            unit_field="unit",
            roles=[],
            every_unit_permission=OPERATE,
        ),
    ]


def policy() -> UnitPermissionPolicy:
    return UnitPermissionPolicy.for_model(Ticket)


def is_operator(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(OPERATE))
    )


def handles(user: Any, ticket: Ticket) -> bool:
    """Whether the person handles the ticket for its unit (signs, replies):
    a handler of the unit it is dispatched to (operators do not sign)."""
    if ticket.unit_id is None or user is None or not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return managed_organisations(user, HANDLER_ROLES).filter(pk=ticket.unit_id).exists()


def is_handler(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and managed_organisations(user, HANDLER_ROLES).exists()
    )


def visible(user: Any) -> TicketQuerySet:
    """The tickets the person may see: all for operators, else their units'."""
    return cast(TicketQuerySet, policy().reachable(user))


def may_use_desk(user: Any) -> bool:
    """Operators and unit handlers only (the API and the pages)."""
    return is_operator(user) or is_handler(user)
