"""Every change to experts and enterprise questions. Each is atomic and audited.

``check_*`` functions validate and then change; ``do_*`` functions change
from trusted input. Notifications leave only after the transaction commits,
so a rolled-back change never tells anyone anything.
"""

from __future__ import annotations

import contextlib
import contextvars
import hmac
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.experts import notices, notifications
from dangjian.experts.models import (
    Answer,
    Attachment,
    Escalation,
    Expert,
    PolicyDomain,
    Question,
)
from dangjian.experts.routing import choose_expert
from dangjian.orgs.models import Membership, Role

EXPERT_GROUP = "政策专员"
ANSWER_MAX = 5000
COMMENT_MAX = 500

# Set while loading demo or historical data: nobody should be notified.
_quiet = contextvars.ContextVar("dangjian_experts_quiet", default=False)


@contextlib.contextmanager
def notifications_suppressed():
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _after_commit(fn) -> None:
    if not _quiet.get():
        transaction.on_commit(fn)


EXPERT_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("experts", "view_question"),
    ("experts", "change_question"),
]


def ensure_expert_group() -> Group:
    """The Django group every linked expert is in: admin access and their questions."""
    group, _created = Group.objects.get_or_create(name=EXPERT_GROUP)
    wanted = set()
    for app_label, codename in EXPERT_PERMISSIONS:
        wanted |= set(
            Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        )
    if set(group.permissions.all()) != wanted:
        group.permissions.set(wanted)
    return group


# Experts ---------------------------------------------------------------------


@transaction.atomic
def do_save_expert(
    expert: Expert, domains=None, *, acting_user=None, previous_person_id=None
) -> Expert:
    """Creates or updates an expert; a linked account joins the experts' group."""
    created = expert.pk is None
    expert.full_clean(exclude=["domains"])
    expert.save()
    if domains is not None:
        expert.domains.set(domains)
    group = ensure_expert_group()
    if previous_person_id and previous_person_id != expert.person_id:
        if not Expert.objects.filter(person_id=previous_person_id).exists():
            group.user_set.remove(previous_person_id)
    person = expert.person
    if person is not None:
        person.groups.add(group)
    log(
        expert,
        "dangjian.experts.expert_create" if created else "dangjian.experts.expert_edit",
        user=acting_user,
        data={
            "name": expert.name,
            "unit": expert.unit.name,
            "domains": [d.name for d in expert.domains.all()],
            "active": expert.is_active,
        },
    )
    return expert


def check_manage_expert(expert: Expert, acting_user) -> None:
    if not Expert.objects.managed_by(acting_user).filter(pk=expert.pk).exists():
        raise PermissionDenied(_("您无权管理该专员"))


# Questions -------------------------------------------------------------------


class SubmissionKeyTaken(ValidationError):
    """A submission key first used by someone else (or for other content)."""

    status = 409

    def __init__(self):
        super().__init__(
            _("该提交编号已被另一次提交使用，请刷新页面后重新提交。"),
            code="submission_key_taken",
        )


def submission_fingerprint(
    *,
    submitted_by=None,
    company_name: str,
    credit_code: str,
    contact_name: str,
    mobile: str,
    email: str,
    domain: PolicyDomain,
    text: str,
    attachments=(),
) -> str:
    """Whoever uses a submission key, as a keyed hash stored with the question.

    A signed-in person is the person. An anonymous enterprise has no account,
    so it is what it submitted, contact included: the retry of a request (a
    double click, a client resending after a timeout) sends exactly the same,
    while someone who only learnt or guessed the key cannot reproduce the
    enterprise's own text and contact details. Keyed with SECRET_KEY, so the
    stored value reveals nothing of the content.
    """
    if submitted_by is not None and submitted_by.is_authenticated:
        parts = ["person", submitted_by.pk]
    else:
        parts = [
            "anonymous",
            company_name,
            credit_code,
            contact_name,
            mobile,
            email,
            domain.pk,
            text,
            sorted([upload.name, upload.size] for upload in attachments),
        ]
    message = json.dumps(parts, ensure_ascii=False)
    return salted_hmac(
        "dangjian.experts.submission_key", message, algorithm="sha256"
    ).hexdigest()


def _replayed(question: Question, fingerprint: str) -> Question:
    """The question a replayed key points at, for its first submitter only."""
    if not question.submission_fingerprint or not hmac.compare_digest(
        question.submission_fingerprint, fingerprint
    ):
        raise SubmissionKeyTaken
    return question


@transaction.atomic
def do_submit_question(
    *,
    company_name: str,
    contact_name: str,
    mobile: str,
    domain: PolicyDomain,
    text: str,
    credit_code: str = "",
    email: str = "",
    attachments=(),
    submission_key: str | None = None,
    submitted_by=None,
    now=None,
) -> tuple[Question, bool]:
    """Saves a validated question with its attachments and routes it.

    Returns ``(question, created)``. A second submission with the same
    ``submission_key`` (a double click, a retried request) by the same
    submitter (`submission_fingerprint`) returns the first question instead
    of creating another; by anyone else it raises SubmissionKeyTaken (409),
    which tells nothing of the first question.
    """
    fingerprint = ""
    if submission_key:
        fingerprint = submission_fingerprint(
            submitted_by=submitted_by,
            company_name=company_name,
            credit_code=credit_code,
            contact_name=contact_name,
            mobile=mobile,
            email=email,
            domain=domain,
            text=text,
            attachments=attachments,
        )
        existing = Question.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return _replayed(existing, fingerprint), False
    now = now or timezone.now()
    try:
        # A savepoint, so that losing a race on submission_key leaves the
        # outer transaction usable.
        with transaction.atomic():
            question = Question.objects.create(
                submission_key=submission_key or None,
                submission_fingerprint=fingerprint,
                company_name=company_name,
                credit_code=credit_code,
                contact_name=contact_name,
                mobile=mobile,
                email=email,
                domain=domain,
                text=text,
                submitted_at=now,
                due_at=Question.due_from(now),
            )
    except IntegrityError:
        if not submission_key:
            raise
        existing = Question.objects.get(submission_key=submission_key)
        return _replayed(existing, fingerprint), False
    for upload in attachments:
        Attachment.objects.create(
            question=question,
            file=upload,
            original_name=upload.name[:200],
            size=upload.size,
            content_type=(getattr(upload, "content_type", "") or "")[:100],
        )
    log(
        question,
        "dangjian.experts.submit",
        data={
            "company": company_name,
            "domain": domain.name,
            "attachments": len(attachments),
        },
    )
    do_route_question(question, now=now)
    return question, True


@transaction.atomic
def do_route_question(
    question: Question, *, acting_user=None, now=None
) -> Expert | None:
    """Assigns a new question to the best-matching expert (see routing.py)."""
    expert = choose_expert(question.domain, question.text)
    if expert is None:
        return None
    _assign(question, expert, now=now or timezone.now())
    log(
        question,
        "dangjian.experts.route",
        user=acting_user,
        data={"expert": expert.name, "unit": expert.unit.name},
    )
    _after_commit(lambda: notices.notify_expert_of_question.enqueue(question.pk))
    return expert


def _assign(question: Question, expert: Expert, *, now) -> None:
    question.expert = expert
    question.assigned_at = now
    fields = ["expert", "assigned_at"]
    if question.status == Question.Status.NEW:
        question.status = Question.Status.ASSIGNED
        fields.append("status")
    question.save(update_fields=fields)
    if not _quiet.get():
        notifications.question_assigned(question)


@transaction.atomic
def check_reassign_question(question: Question, expert: Expert, *, acting_user) -> None:
    """Moves an unanswered question to another expert, by an admin who manages both."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    managed = Expert.objects.managed_by(acting_user)
    if question.expert_id and not managed.filter(pk=question.expert_id).exists():
        raise PermissionDenied(_("您无权改派该问题"))
    if not managed.filter(pk=expert.pk).exists():
        raise PermissionDenied(_("您无权把问题改派给该专员"))
    if not expert.is_active:
        raise ValidationError({"expert": _("该专员已停用")})
    if question.status not in (Question.Status.NEW, Question.Status.ASSIGNED):
        raise ValidationError({"expert": _("问题已答复，不能改派")})
    if question.expert_id == expert.pk:
        return
    previous = question.expert
    _assign(question, expert, now=timezone.now())
    # The new expert's unit admins have not heard of an overdue question yet.
    Question.objects.filter(pk=question.pk).update(escalated_at=None)
    log(
        question,
        "dangjian.experts.reassign",
        user=acting_user,
        data={"from": previous.name if previous else None, "to": expert.name},
    )
    _after_commit(lambda: notices.notify_expert_of_question.enqueue(question.pk))


def check_answer_access(question: Question, acting_user) -> None:
    """Only the assigned expert answers a question."""
    if (
        acting_user is None
        or not acting_user.is_authenticated
        or question.expert is None
        or question.expert.person_id != acting_user.pk
    ):
        raise PermissionDenied(_("只有承办专员可以答复该问题"))


@transaction.atomic
def check_answer_question(
    question: Question, text: str, *, acting_user, now=None
) -> Answer:
    """Records an answer; the first one sets the time of first answer and tells the enterprise."""
    text = (text or "").strip()
    question = Question.objects.select_for_update().get(pk=question.pk)
    check_answer_access(question, acting_user)
    if not text:
        raise ValidationError({"answer": _("请填写答复内容")})
    if len(text) > ANSWER_MAX:
        raise ValidationError(
            {"answer": _("答复内容不能超过%(n)d字") % {"n": ANSWER_MAX}}
        )
    if question.status not in (Question.Status.ASSIGNED, Question.Status.ANSWERED):
        raise ValidationError({"answer": _("该问题当前不能答复")})
    now = now or timezone.now()
    answer = Answer.objects.create(
        question=question,
        expert=question.expert,
        author=acting_user,
        text=text,
        created_at=now,
    )
    first = question.first_answered_at is None
    if first:
        question.first_answered_at = now
        question.status = Question.Status.ANSWERED
        question.save(update_fields=["first_answered_at", "status"])
    log(
        question,
        "dangjian.experts.answer",
        user=acting_user,
        data={"answer": answer.pk, "first": first},
    )
    _after_commit(
        lambda: notices.notify_enterprise_of_answer.enqueue(question.pk, first)
    )
    return answer


@transaction.atomic
def check_rate_question(
    question: Question, rating, comment: str = "", *, now=None
) -> Question:
    """The enterprise rates the answer once, 1 to 5, with an optional comment."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("请选择1到5分")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("评价不能超过%(n)d字") % {"n": COMMENT_MAX}}
        )
    current = Question.objects.get(pk=question.pk)
    if current.status != Question.Status.ANSWERED:
        raise ValidationError({"rating": _("问题答复后才能评价")})
    now = now or timezone.now()
    # The conditional update makes "once" hold under concurrent submits.
    updated = Question.objects.filter(
        pk=question.pk, status=Question.Status.ANSWERED, rating__isnull=True
    ).update(rating=rating, rating_comment=comment, rated_at=now)
    if not updated:
        raise ValidationError({"rating": _("您已评价过该答复")})
    question.refresh_from_db()
    log(
        question,
        "dangjian.experts.rate",
        data={"rating": rating, "comment": comment[:100]},
    )
    return question


# Service level -----------------------------------------------------------------


def escalation_recipients(question: Question) -> list:
    """Unit admins of the expert's unit; platform admins when nobody is assigned."""
    expert = question.expert
    if expert is not None:
        return [
            m.person
            for m in Membership.objects.active()
            .filter(organisation_id=expert.unit_id, role=Role.UNIT_ADMIN)
            .select_related("person")
        ]
    return list(get_user_model().objects.filter(is_superuser=True, is_active=True))


@transaction.atomic
def do_escalate_question(question: Question, *, now=None) -> Escalation | None:
    """Escalates one overdue question, once: returns None when someone else already did."""
    now = now or timezone.now()
    claimed = (
        Question.objects.overdue(now)
        .filter(pk=question.pk, escalated_at__isnull=True)
        .update(escalated_at=now)
    )
    if not claimed:
        return None
    question.refresh_from_db()
    if Escalation.objects.filter(question=question, expert=question.expert).exists():
        # Already escalated for this expert (escalated_at was cleared by hand).
        return None
    recipients = escalation_recipients(question)
    escalation = Escalation.objects.create(
        question=question,
        expert=question.expert,
        due_at=question.due_at,
        notified=[p.username for p in recipients],
        created_at=now,
    )
    log(
        question,
        "dangjian.experts.escalate",
        data={
            "expert": question.expert.name if question.expert else None,
            "notified": escalation.notified,
        },
    )
    emails = [p.email for p in recipients if p.email]
    _after_commit(lambda: notices.send_escalation_notice(question.pk, emails))
    return escalation


def escalate_overdue(now=None) -> list[Escalation]:
    """Escalates every overdue question not escalated yet; safe to run at any time."""
    now = now or timezone.now()
    done = []
    for question in Question.objects.to_escalate(now).select_related("expert"):
        escalation = do_escalate_question(question, now=now)
        if escalation is not None:
            done.append(escalation)
    return done
