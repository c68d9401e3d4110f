"""设置 → 登录锁定: failed logins still counting, and unlocking an account or address.

Axes' own pages live in the Django admin, which this project does not run;
this is the Wagtail admin's equivalent, for platform admins.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from dangjian.orgs.throttle import do_unlock_logins, lockouts

PERMISSION = "axes.delete_accessattempt"


def lockouts_view(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    if request.method == "POST":
        username = request.POST.get("username")
        ip_address = request.POST.get("ip_address")
        if (username is None) != (ip_address is None):
            count = do_unlock_logins(
                username=username, ip_address=ip_address, acting_user=request.user
            )
            messages.success(
                request,
                _("已解除锁定，清除了 %(n)d 条失败记录。") % {"n": count},
            )
        return redirect("orgs_login_lockouts")
    accounts, addresses = lockouts()
    return render(
        request,
        "orgs/admin/lockouts.html",
        {"accounts": accounts, "addresses": addresses},
    )


class LockoutsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_urls")
def register_lockout_urls():
    return [path("login-lockouts/", lockouts_view, name="orgs_login_lockouts")]


@hooks.register("register_settings_menu_item")
def register_lockout_menu_item():
    return LockoutsMenuItem(
        gettext_lazy("登录锁定"),
        reverse("orgs_login_lockouts"),
        icon_name="lock",
        order=900,
    )


@hooks.register("register_log_actions")
def register_lockout_log_actions(actions):
    actions.register_action(
        "dangjian.login.unlock",
        gettext_lazy("解除登录锁定"),
        gettext_lazy("解除登录锁定"),
    )
