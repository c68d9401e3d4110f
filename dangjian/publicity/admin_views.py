"""The delivery log's "retry now" page in the admin (its URL is registered
in wagtail_hooks)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from dangjian.orgs.permissions import UnitPermissionPolicy
from dangjian.publicity import actions
from dangjian.publicity.models import Delivery


def retry_delivery_view(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.select_related("channel"), pk=pk)
    policy = UnitPermissionPolicy.for_model(Delivery)
    if not policy.user_has_permission_for_instance(request.user, "change", delivery):
        raise PermissionDenied
    if request.method == "POST":
        try:
            actions.do_retry_delivery(delivery, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("已重新发送，请稍后查看结果。"))
        return redirect("publicity_deliveries:index")
    return TemplateResponse(
        request, "publicity/admin/retry_confirm.html", {"delivery": delivery}
    )
