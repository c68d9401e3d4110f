"""The voting API under /api/votes.

Identity for ``POST /api/votes``: a bearer token or a signed-in session (a
member), else a voter session from ``POST /api/votes/session`` sent as the
``X-Voter-Token`` header. A request carrying the session cookie or the voter
cookie must pass CSRF, unless it is authenticated by a bearer token or a
valid voter token in the header (a browser never sends those on its own); a
junk header buys nothing (`needs_csrf`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.utils import check_csrf
from pydantic import Field, StrictInt, StrictStr

from dangjian.lib.api_errors import ErrorOut
from dangjian.lib.api_types import MAX_ID, Id
from dangjian.voting.actions import (
    VoteRefused,
    candidate_id_from,
    check_cast_vote,
    check_verify_code,
    do_request_code,
    tally,
    voter_remaining,
)
from dangjian.voting.challenge import new_challenge
from dangjian.voting.identity import (
    DEVICE_COOKIE,
    TOKEN_META_KEY,
    VOTER_COOKIE,
    VOTER_TOKEN_HEADER,
    issue_voter_token,
    new_device_id,
    read_device_id,
    read_voter_token,
    request_context,
    set_device_cookie,
    voter_from_request,
)
from dangjian.voting.models import Campaign

router = Router(tags=["投票"])


class RuleOut(Schema):
    votes_per_day: int
    votes_per_candidate_per_day: int
    votes_total: int


class CandidateOut(Schema):
    id: int
    number: int
    name: str
    group: str
    organisation: str | None
    title: str
    photo: str | None
    record: str


class CampaignOut(Schema):
    id: int
    title: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    open_to_public: bool
    results_visible: bool
    url: str


class CampaignDetailOut(CampaignOut):
    description: str
    rule: RuleOut
    candidates: list[CandidateOut]
    eligible_organisations: list[int]
    my_remaining: dict | None


class ResultRow(Schema):
    id: int
    number: int
    name: str
    group: str
    votes: int


class ResultsOut(Schema):
    campaign: int
    status: str
    total: int
    candidates: list[ResultRow]
    updated_at: dt.datetime


class VoteIn(Schema):
    # Strict: JSON true is not candidate 1, nor 1.0, nor "１".
    campaign: StrictInt = Field(ge=1, le=MAX_ID)
    candidate: StrictInt | StrictStr | None = None
    idempotency_key: str | None = None
    captcha_token: str = ""
    captcha_answer: str = ""


class MobileIn(Schema):
    mobile: str


class CodeIn(Schema):
    mobile: str
    code: str


def refused(exc: VoteRefused) -> JsonResponse:
    headers = {}
    if "retry_after" in exc.extra:
        headers["Retry-After"] = str(exc.extra["retry_after"])
    return JsonResponse(
        exc.as_dict(),
        status=exc.status,
        headers=headers,
        json_dumps_params={"ensure_ascii": False},
    )


def _campaign_summary(campaign: Campaign) -> dict:
    return {
        "id": campaign.pk,
        "title": campaign.title,
        "status": campaign.status(),
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "open_to_public": campaign.open_to_public,
        "results_visible": campaign.results_visible,
        "url": campaign.get_absolute_url(),
    }


def candidate_rows(campaign: Campaign) -> list[dict]:
    rows = []
    for c in campaign.candidates.select_related("organisation", "photo").order_by(
        "number"
    ):
        rows.append(
            {
                "id": c.pk,
                "number": c.number,
                "name": c.name,
                "group": c.group,
                "organisation": c.organisation.name if c.organisation else None,
                "title": c.title,
                "photo": c.photo.get_rendition("fill-300x300").url if c.photo else None,
                "record": c.record,
            }
        )
    return rows


@router.get("/campaigns", response=list[CampaignOut], summary="投票活动列表")
def list_campaigns(request):
    return [_campaign_summary(c) for c in Campaign.objects.live()]


@router.get(
    "/campaigns/{campaign_id}",
    response={200: CampaignDetailOut, 404: ErrorOut},
    summary="投票活动详情（候选人与投票规则）",
)
def campaign_detail(request, campaign_id: Id):
    campaign = get_object_or_404(Campaign.objects.live(), pk=campaign_id)
    voter = voter_from_request(request)
    return {
        **_campaign_summary(campaign),
        "description": campaign.description,
        "rule": {
            "votes_per_day": campaign.votes_per_day,
            "votes_per_candidate_per_day": campaign.votes_per_candidate_per_day,
            "votes_total": campaign.votes_total,
        },
        "candidates": candidate_rows(campaign),
        "eligible_organisations": [o.pk for o in campaign.eligible_organisations.all()],
        "my_remaining": voter_remaining(campaign, voter),
    }


def results_for(campaign: Campaign) -> dict:
    counts = tally(campaign.pk)
    rows: list[dict[str, Any]] = [
        {
            "id": c.pk,
            "number": c.number,
            "name": c.name,
            "group": c.group,
            "votes": counts.get(c.pk, 0),
        }
        for c in campaign.candidates.order_by("number")
    ]
    rows.sort(key=lambda r: (-r["votes"], r["number"]))
    return {
        "campaign": campaign.pk,
        "status": campaign.status(),
        "total": sum(r["votes"] for r in rows),
        "candidates": rows,
        "updated_at": timezone.now(),
    }


@router.get(
    "/campaigns/{campaign_id}/results",
    response={200: ResultsOut, 403: ErrorOut, 404: ErrorOut},
    summary="实时结果（活动公开结果时）",
)
def campaign_results(request, campaign_id: Id):
    campaign = get_object_or_404(Campaign.objects.live(), pk=campaign_id)
    if not campaign.results_public():
        return refused(VoteRefused(403, "results_hidden", _("投票结束后公布结果")))
    return results_for(campaign)


@router.post(
    "",
    summary="投票",
    response={
        200: dict,
        201: dict,
        400: dict,
        401: dict,
        403: dict,
        404: dict,
        409: dict,
        429: dict,
        503: dict,
    },
    description=(
        "201: counted, with the voter's remaining votes. 200: a retry of an "
        "idempotency key already counted. 409: the rule is exhausted "
        "(`next_vote_at`). 403: outside the window or not eligible. 429: rate "
        "limited, or `captcha_required` with a challenge to answer."
    ),
)
def cast_vote(request, payload: VoteIn):
    if needs_csrf(request) and check_csrf(request) is not None:
        return refused(VoteRefused(403, "csrf", _("页面已过期，请刷新后再试")))
    return vote_answer(request, payload)


def needs_csrf(request) -> bool:
    """Whether a vote must carry a CSRF token: whenever a cookie a browser
    sends on its own could vouch for it (the session, the voter cookie),
    unless a bearer token or a voter token in the header that is valid
    authenticates it instead. The WSGI fast path takes no request with a
    session cookie, and identifies its voters by the header alone."""
    if getattr(request, "api_token", None) is not None:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    if request.user.is_authenticated:
        return True
    header = request.META.get(TOKEN_META_KEY, "")
    if header and read_voter_token(header) is not None:
        return False
    return bool(request.COOKIES.get(VOTER_COOKIE))


def vote_answer(request, payload: VoteIn) -> JsonResponse:
    """Casts ``payload`` for the request's voter and gives the answer, for
    the API above and for the WSGI fast path (``dangjian.voting.fastpath``)."""
    voter = voter_from_request(request)
    if voter is None:
        return refused(
            VoteRefused(401, "voter_required", _("请先登录或验证手机号后投票"))
        )
    try:
        result = check_cast_vote(
            payload.campaign,
            candidate_id_from(payload.candidate),
            voter,
            idempotency_key=payload.idempotency_key
            or request.META.get("HTTP_IDEMPOTENCY_KEY"),
            captcha_token=payload.captcha_token,
            captcha_answer=payload.captcha_answer,
        )
    except VoteRefused as exc:
        return refused(exc)
    # A plain JsonResponse: the hot path skips response-schema validation.
    return JsonResponse(result.body, status=result.status)


@router.post(
    "/otp",
    response={202: dict, 400: dict, 429: dict, 503: dict},
    summary="获取手机验证码（社会公众投票）",
)
def request_code(request, payload: MobileIn):
    network, _device, _ua = request_context(request)
    try:
        return JsonResponse(
            do_request_code(payload.mobile, network_hash=network), status=202
        )
    except VoteRefused as exc:
        return refused(exc)


@router.post(
    "/session",
    response={200: dict, 400: dict, 429: dict},
    summary="用验证码换取投票会话",
)
def open_session(request, payload: CodeIn):
    try:
        voter_hash = check_verify_code(payload.mobile, payload.code)
    except VoteRefused as exc:
        return refused(exc)
    token = issue_voter_token(voter_hash)
    # The device this client is, signed by the server: sent back as the
    # X-Device-Id header (or the cookie) it counts for the per-device limit.
    device = request.META.get("HTTP_X_DEVICE_ID") or request.COOKIES.get(DEVICE_COOKIE)
    if read_device_id(device) is None:
        device = new_device_id()
    response = JsonResponse(
        {
            "token": token,
            "header": VOTER_TOKEN_HEADER,
            "device": device,
            "device_header": "X-Device-Id",
        }
    )
    response.set_cookie(
        VOTER_COOKIE, token, max_age=7 * 24 * 3600, httponly=True, samesite="Lax"
    )
    set_device_cookie(response, device)
    return response


@router.get("/captcha", summary="新的图形验证码")
def captcha(request):
    return new_challenge()
