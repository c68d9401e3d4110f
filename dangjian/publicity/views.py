"""Public pages: feed list, digest subscription, QR codes."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urlsplit

import segno
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from dangjian.orgs.models import Organisation
from dangjian.publicity import actions
from dangjian.publicity.models import Release
from dangjian.publicity.sources import absolute

MAX_QR_PATH = 500


def _units():
    # Units that have released something public, plus their parents' level.
    ids = Release.objects.current().values("unit_id")
    return Organisation.objects.filter(pk__in=ids, is_active=True).order_by("path")


def feed_list(request):
    columns = [(k, label) for k, label in Release.Kind.choices]
    return render(
        request,
        "publicity/feeds.html",
        {"units": _units(), "columns": columns},
    )


def _unit_groups(checked: list[str]) -> list[dict[str, Any]]:
    """The units one may follow, grouped under each tree's root (市委, 市政府
    …) for a form of a few collapsible branches instead of a wall of boxes."""
    groups: list[dict[str, Any]] = []
    for unit in Organisation.objects.filter(is_active=True, depth__lte=2).order_by(
        "path"
    ):
        if unit.depth == 1 or not groups:
            groups.append({"root": unit, "units": [], "open": False})
        groups[-1]["units"].append(unit)
        if str(unit.pk) in checked:
            groups[-1]["open"] = True
    return groups


def subscribe(request: HttpRequest) -> HttpResponse:
    """The digest sign-up form; a confirmation mail completes it (double opt-in)."""
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"email": "", "units": [], "kinds": []}
    if request.method == "POST":
        data = {
            "email": request.POST.get("email", "")[:254],
            "units": request.POST.getlist("units")[:50],
            "kinds": request.POST.getlist("kinds")[:10],
        }
        try:
            units = [int(u) for u in data["units"]]
        except ValueError:
            errors["units"] = ["所选单位不存在。"]
            units = []
        if not errors:
            try:
                subscriber = actions.check_subscribe(
                    data["email"], units=units, kinds=data["kinds"]
                )
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                return render(
                    request,
                    "publicity/subscribe_sent.html",
                    {"email": subscriber.email},
                )
    return render(
        request,
        "publicity/subscribe.html",
        {
            "errors": errors,
            "data": data,
            "unit_groups": _unit_groups(data["units"]),
            "kinds": Release.Kind.choices,
        },
        status=400 if errors else 200,
    )


def confirm(request, token: str):
    try:
        subscriber = actions.do_confirm_subscription(token)
    except ValidationError as exc:
        return render(
            request, "publicity/message.html", {"error": exc.messages[0]}, status=400
        )
    return render(
        request,
        "publicity/message.html",
        {"message": f"订阅已确认。今后每天的新发布内容会发送到 {subscriber.email}。"},
    )


@csrf_exempt
def unsubscribe(request, token: str):
    """GET asks; POST unsubscribes (also the RFC 8058 one-click POST of mail apps).

    Exempt from CSRF because mail clients post without a session; the signed
    token is the credential.
    """
    if request.method == "POST":
        try:
            subscriber = actions.do_unsubscribe(token)
        except ValidationError as exc:
            return render(
                request,
                "publicity/message.html",
                {"error": exc.messages[0]},
                status=400,
            )
        return render(
            request,
            "publicity/message.html",
            {"message": f"已退订，{subscriber.email} 不会再收到更新摘要。"},
        )
    return render(request, "publicity/unsubscribe.html", {"token": token})


def same_site_path(path: str) -> str | None:
    """The path if it names a page of this site, else None (no open relay)."""
    if not path or len(path) > MAX_QR_PATH or "\\" in path:
        return None
    if any(ord(c) < 32 for c in path):
        return None
    parts = urlsplit(path)
    if (
        parts.scheme
        or parts.netloc
        or not path.startswith("/")
        or path.startswith("//")
    ):
        return None
    return path


@require_GET
@cache_control(public=True, max_age=86400)
def qr_svg(request):
    path = same_site_path(request.GET.get("path", ""))
    if path is None:
        return HttpResponseBadRequest(
            "只能为本站页面生成二维码：path 须是以 / 开头的站内路径。",
            content_type="text/plain; charset=utf-8",
        )
    source = request.GET.get("from", "qr")
    if not re.fullmatch(r"[a-z0-9_-]{1,20}", source):
        source = "qr"
    url = actions.share_url(absolute(path, request), source)
    # A standalone SVG document: an <img> shows nothing without the xmlns
    # that segno's svg_inline() leaves out for embedding in HTML.
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")
