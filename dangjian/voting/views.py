"""Public pages: campaigns, candidates, voting without JavaScript, live results,
phone verification, and the results export for the campaign's managers."""

from __future__ import annotations

import secrets
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.lib import pagecache
from dangjian.voting.actions import (
    VoteRefused,
    candidate_id_from,
    check_cast_vote,
    check_verify_code,
    count_visit,
    do_request_code,
    tally,
    voter_remaining,
)
from dangjian.voting.api import results_for
from dangjian.voting.exports import results_workbook
from dangjian.voting.identity import (
    DEVICE_COOKIE,
    VOTER_COOKIE,
    issue_voter_token,
    new_device_id,
    read_device_id,
    request_context,
    set_device_cookie,
    voter_from_request,
)
from dangjian.voting.models import Campaign


def _with_device(request, response):
    """Gives a browser without a device the server signed one (see `_visitor`)."""
    token = getattr(request, "_voting_device", None)
    if token:
        set_device_cookie(response, token)
    return response


def _visitor(request) -> str:
    device = read_device_id(request.COOKIES.get(DEVICE_COOKIE))
    if device is None:
        # No cookie, or one the server did not sign: a new signed device.
        request._voting_device = new_device_id()
        # A token the server has just signed always reads back.
        device = cast(str, read_device_id(request._voting_device))
    return device


def _visit(request, response, campaign_id: int, candidate_id: int) -> None:
    """Counts the visit and gives a new browser its device cookie: for every
    visitor, also those served the stored page (``pagecache.each_serve``)."""
    count_visit(campaign_id, candidate_id, _visitor(request))
    _with_device(request, response)


@pagecache.public_page
def index(request):
    campaigns = Campaign.objects.live().select_related("cover")
    return render(request, "voting/index.html", {"campaigns": campaigns})


def campaign(request, campaign_id: int):
    campaign = get_object_or_404(
        Campaign.objects.live().select_related("organisation", "cover"),
        pk=campaign_id,
    )
    q = request.GET.get("q", "").strip()[:40]
    candidates = campaign.candidates.select_related("organisation", "photo").order_by(
        "number"
    )
    if q:
        condition = Q(name__icontains=q) | Q(organisation__name__icontains=q)
        if q.isdigit():
            condition |= Q(number=int(q))
        candidates = candidates.filter(condition)
    voter = voter_from_request(request)
    remaining = voter_remaining(campaign, voter)
    counts = tally(campaign.pk) if campaign.results_public() else {}
    rows = []
    for c in candidates:
        left = None
        if remaining is not None:
            left = remaining["by_candidate"].get(
                c.pk, remaining["per_candidate_default"]
            )
        rows.append({"c": c, "votes": counts.get(c.pk, 0), "left": left})
    response = render(
        request,
        "voting/campaign.html",
        {
            "campaign": campaign,
            "rows": rows,
            "q": q,
            "voter": voter,
            "remaining": remaining,
            "show_results": campaign.results_public(),
            "status": campaign.status(),
            "idempotency_key": secrets.token_urlsafe(16),
            "captcha": request.session.pop("voting_captcha", None),
            "note": request.session.pop("voting_note", None),
        },
    )
    response = pagecache.each_serve(request, response, _visit, campaign.pk, 0)
    if voter is None:
        # Without a voter the page holds no form and nothing personal; its
        # tallies are at most LIVE_SECONDS old.
        pagecache.mark_public(response, seconds=pagecache.LIVE_SECONDS)
    return response


def candidate(request, campaign_id: int, candidate_id: int):
    campaign = get_object_or_404(Campaign.objects.live(), pk=campaign_id)
    person = get_object_or_404(
        campaign.candidates.select_related("organisation", "photo"), pk=candidate_id
    )
    votes = tally(campaign.pk).get(person.pk, 0) if campaign.results_public() else None
    response = render(
        request,
        "voting/candidate.html",
        {"campaign": campaign, "candidate": person, "votes": votes},
    )
    response = pagecache.each_serve(request, response, _visit, campaign.pk, person.pk)
    return pagecache.mark_public(response, seconds=pagecache.LIVE_SECONDS)


@require_POST
def vote(request, campaign_id: int):
    """Voting without JavaScript: the form posts here and comes back to the
    candidate that was tapped, with the outcome shown beside its button."""
    back = reverse("voting:campaign", args=[campaign_id])
    candidate_id = candidate_id_from(request.POST.get("candidate", "")) or None
    if candidate_id is not None:
        back = f"{back}#c{candidate_id}"
    voter = voter_from_request(request)
    if voter is None:
        _note(request, candidate_id, _("请先登录或验证手机号后投票"), "voter_required")
        return redirect(back)
    try:
        result = check_cast_vote(
            campaign_id,
            candidate_id,
            voter,
            idempotency_key=request.POST.get("idempotency_key") or None,
            captcha_token=request.POST.get("captcha_token", ""),
            captcha_answer=request.POST.get("captcha_answer", ""),
        )
    except VoteRefused as exc:
        _note(request, candidate_id, exc.detail, exc.code)
        if exc.code == "captcha_required":
            request.session["voting_captcha"] = exc.extra["captcha"]
        return redirect(back)
    if result.status == 201:
        _note(
            request,
            candidate_id,
            _("投票成功！今日还可投 %(n)d 票") % {"n": result.body["remaining_today"]},
            "ok",
        )
    return redirect(back)


def _note(request, candidate_id: int | None, text: str, code: str) -> None:
    """The outcome of a vote, shown once beside the candidate's button."""
    request.session["voting_note"] = {
        "candidate": candidate_id,
        "text": str(text),
        "code": code,
    }


@pagecache.public_page(seconds=pagecache.LIVE_SECONDS)
def results(request, campaign_id: int):
    campaign = get_object_or_404(Campaign.objects.live(), pk=campaign_id)
    if not campaign.results_public():
        return render(
            request, "voting/results.html", {"campaign": campaign, "hidden": True}
        )
    data = results_for(campaign)
    top = max([r["votes"] for r in data["candidates"]] or [0]) or 1
    for row in data["candidates"]:
        row["percent"] = round(row["votes"] * 100 / top, 1)
    return render(
        request,
        "voting/results.html",
        {
            "campaign": campaign,
            "data": data,
            "ledger": getattr(campaign, "ledger", None),
        },
    )


def verify(request, campaign_id: int):
    """Phone verification for the public: send a code, then enter it."""
    campaign = get_object_or_404(Campaign.objects.live(), pk=campaign_id)
    mobile = request.POST.get("mobile", "")
    error = None
    sent = False
    if request.method == "POST":
        try:
            if "code" in request.POST:
                voter_hash = check_verify_code(mobile, request.POST["code"])
                response = redirect(campaign.get_absolute_url())
                response.set_cookie(
                    VOTER_COOKIE,
                    issue_voter_token(voter_hash),
                    max_age=7 * 24 * 3600,
                    httponly=True,
                    samesite="Lax",
                )
                messages.success(request, _("手机号验证成功，可以投票了"))
                return response
            network, _d, _u = request_context(request)
            do_request_code(mobile, network_hash=network)
            sent = True
        except VoteRefused as exc:
            error = exc.detail
            sent = "code" in request.POST
    return render(
        request,
        "voting/verify.html",
        {"campaign": campaign, "mobile": mobile, "sent": sent, "error": error},
    )


def can_manage(user, campaign: Campaign) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Campaign.objects.managed_by(user).filter(pk=campaign.pk).exists()


def export(request, campaign_id: int):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    if not can_manage(request.user, campaign):
        raise PermissionDenied
    data = results_workbook(campaign)
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="vote-results-{campaign.pk}.xlsx"'
    )
    return response
