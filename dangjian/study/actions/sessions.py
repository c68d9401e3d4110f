"""Group study sessions: creating them, attendance by code or by the
organiser, and the minutes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations, scope_for
from dangjian.study.actions.points import do_award_points
from dangjian.study.models import Attendance, PointRule, StudySession


def can_manage_session(person, session: StudySession) -> bool:
    if not person.is_authenticated:
        return False
    if person.is_superuser or session.organiser_id == person.pk:
        return True
    return (
        managed_organisations(person, [Role.UNIT_ADMIN])
        .filter(pk=session.organisation_id)
        .exists()
    )


@transaction.atomic
def do_create_session(*, acting_user, **fields) -> StudySession:
    session = StudySession(**fields)
    session.full_clean()
    session.save()
    log(session, "dangjian.study.create_session", user=acting_user)
    return session


def _in_organisation(person, organisation_id: int) -> bool:
    return organisation_id in scope_for(person).within


def check_check_in_with_code(person, code: str, *, at=None) -> Attendance:
    """The attendee enters the code during the session; an expired code is refused."""
    at = at or timezone.now()
    code = (code or "").strip()
    if not code.isdigit() or len(code) != 6:
        raise ValidationError(_("签到码为 6 位数字"))
    candidates = StudySession.objects.filter(checkin_code=code).order_by("-starts_at")
    if not candidates:
        raise ValidationError(_("签到码不正确"))
    open_now = [s for s in candidates if s.code_window()[0] <= at <= s.code_window()[1]]
    if not open_now:
        raise ValidationError(_("签到码已过期或尚未开始，请在学习会进行期间签到"))
    reachable = [s for s in open_now if _in_organisation(person, s.organisation_id)]
    if not reachable:
        raise PermissionDenied(_("您不是该学习会所在组织的成员"))
    return do_record_attendance(
        reachable[0], person, method=Attendance.Method.CODE, acting_user=person, at=at
    )


def check_record_attendance_by_organiser(
    session: StudySession, person, *, acting_user
) -> Attendance:
    if not can_manage_session(acting_user, session):
        raise PermissionDenied(_("只有组织人或单位管理员可以登记出席"))
    if not _in_organisation(person, session.organisation_id):
        raise ValidationError(_("此人不是该学习会所在组织的成员"))
    attendance = do_record_attendance(
        session, person, method=Attendance.Method.ORGANISER, acting_user=acting_user
    )
    log(
        session,
        "dangjian.study.record_attendance",
        user=acting_user,
        data={"person": person.pk, "name": person.get_full_name()},
    )
    return attendance


def do_record_attendance(
    session: StudySession, person, *, method: str, acting_user, at=None
) -> Attendance:
    """Records attendance once (a second check-in returns the first) and
    awards the session's points."""
    at = at or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    session=session,
                    person=person,
                    method=method,
                    checked_in_at=at,
                    recorded_by=acting_user,
                )
        except IntegrityError:
            return Attendance.objects.get(session=session, person=person)
        do_award_points(
            person,
            PointRule.Kind.SESSION_ATTENDED,
            source=f"session:{session.pk}",
            label=session.title,
            at=at,
        )
    return attendance


@transaction.atomic
def check_save_minutes(session: StudySession, minutes: str, *, acting_user) -> None:
    if not can_manage_session(acting_user, session):
        raise PermissionDenied(_("只有组织人或单位管理员可以填写会议记录"))
    minutes = (minutes or "").strip()
    if len(minutes) > 20000:
        raise ValidationError(_("会议记录不能超过 20000 字"))
    session.minutes = minutes
    session.save(update_fields=["minutes"])
    log(session, "dangjian.study.save_minutes", user=acting_user)
