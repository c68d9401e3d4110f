"""The member's own pages: first sign-in (and sign-in) by SMS code, phone-width."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from dangjian.lib.clientaddr import client_ip
from dangjian.members.activation import Refused, check_activate, do_request_code

MAX_FIELD = 64


@never_cache
@sensitive_post_parameters("password", "password2", "code")
def activate(request):
    """Step 1: the mobile number; step 2: the code and (optionally) a password."""
    context: dict = {"step": 1, "mobile": "", "error": ""}
    status = 200
    if request.method == "POST":
        mobile = request.POST.get("mobile", "")[:MAX_FIELD].strip()
        context["mobile"] = mobile
        client = client_ip(request) or "unknown"
        try:
            if request.POST.get("action") == "verify":
                context["step"] = 2
                person = check_activate(
                    mobile,
                    request.POST.get("code", "")[:MAX_FIELD],
                    password=request.POST.get("password", "")[:256],
                    password2=request.POST.get("password2", "")[:256],
                    client=client,
                )
                login(
                    request, person, backend="django.contrib.auth.backends.ModelBackend"
                )
                messages.success(
                    request,
                    _(
                        "账号已激活。以后可在本页用手机号和短信验证码登录，"
                        "或用登录名 %(username)s 和密码登录。"
                    )
                    % {"username": person.get_username()},
                )
                return redirect("members:activated")
            do_request_code(mobile, client=client)
            context["step"] = 2
            context["sent"] = True
        except Refused as exc:
            context["error"] = exc.message
            status = exc.status if exc.status in (400, 429, 503) else 400
    return TemplateResponse(request, "members/activate.html", context, status=status)


@never_cache
def activated(request):
    return TemplateResponse(request, "members/activated.html", {})
