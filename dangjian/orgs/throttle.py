"""Login throttling with django-axes: per account and per address, with a cool-off.

Every login (the site's ``/accounts/login/`` and the Wagtail admin's) goes
through ``django.contrib.auth.authenticate``; axes' backend refuses it while
the account or the address is locked, and its handler counts the failures.

* An account is locked after ``AXES_FAILURE_LIMIT`` failures (any address);
* an address after ``DANGJIAN_LOGIN_FAILURES_PER_ADDRESS`` failures (any
  account), higher because an office's people share one address;
* both only within ``AXES_COOLOFF_TIME``: a lock ends by itself after it,
  or a platform admin lifts it at 设置 → 登录锁定 (``views_axes``).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone
from wagtail.log_actions import log


def address_limit() -> int:
    return getattr(settings, "DANGJIAN_LOGIN_FAILURES_PER_ADDRESS", 30)


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate limit for addresses.

    ``AXES_LOCKOUT_PARAMETERS`` is ``["username", "ip_address"]``, so axes
    asks for two counts: failures of the account and failures from the
    address. Axes compares one number with ``AXES_FAILURE_LIMIT``; the
    address count is scaled so that it reaches that number exactly when the
    address reaches its own limit.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            _failures(attempts)
            for attempts in self.get_user_attempts(request, credentials)
        )
        per_account = get_failure_limit(request, credentials)
        return max(by_account, by_address * per_account // address_limit())

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login, forgets that person's own typing errors
        from this address only: failures from elsewhere (someone guessing the
        password) and for other accounts (someone trying many) still count."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while locked (HTTP 429)."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(
        request,
        "portal/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def recent_attempts():
    """Failed logins still counting (within the cool-off), newest first."""
    cool_off = get_cool_off()
    attempts = AccessAttempt.objects.all()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.order_by("-attempt_time")


def lockouts() -> tuple[list[dict], list[dict]]:
    """(accounts, addresses) with failures still counting, each with its
    count, last attempt and whether it is locked now."""
    attempts = recent_attempts()
    per_account = settings.AXES_FAILURE_LIMIT
    accounts = [
        {**row, "locked": row["failures"] >= per_account}
        for row in attempts.values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-failures", "username")
    ]
    addresses = [
        {**row, "locked": row["failures"] >= address_limit()}
        for row in attempts.values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-failures", "ip_address")
    ]
    return accounts, addresses


@transaction.atomic
def do_unlock_logins(*, username=None, ip_address=None, acting_user) -> int:
    """Forgets the failed logins of one account or one address; audited."""
    if (username is None) == (ip_address is None):
        raise ValueError("give either username or ip_address")
    attempts = AccessAttempt.objects.filter(
        **({"username": username} if username is not None else {})
        | ({"ip_address": ip_address} if ip_address is not None else {})
    )
    first = attempts.first()
    if first is None:
        return 0
    log(
        instance=first,
        action="dangjian.login.unlock",
        user=acting_user,
        data={"username": username or "", "ip_address": ip_address or ""},
    )
    count, _ = attempts.delete()
    return count
