"""Changes to study data. Views, the API, the admin, the demo and tests call these.

``do_*`` functions apply a change from trusted input; ``check_*`` functions
validate first (raising ``ValidationError`` or ``PermissionDenied`` with a
Chinese message) and then apply.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.orgs.roles import ensure_role_group, grant_unit_pages
from dangjian.orgs.scope import managed_organisations, scope_for
from dangjian.study.models import (
    Attendance,
    MaterialPage,
    Note,
    PointEntry,
    PointRule,
    Progress,
    Reading,
    SpotCheck,
    SpotCheckItem,
    StudyIndexPage,
    StudySectionPage,
    StudySession,
)

# --- Set-up ---------------------------------------------------------------------

DEFAULT_RULES = [
    (PointRule.Kind.ARTICLE_READ, "阅读文章", 1, 6),
    (PointRule.Kind.VIDEO_WATCHED, "观看视频", 2, 6),
    (PointRule.Kind.DAILY_QUIZ, "每日答题", 5, 5),
    (PointRule.Kind.SESSION_ATTENDED, "参加学习会", 5, 10),
    (PointRule.Kind.NOTE_WRITTEN, "撰写心得", 2, 2),
]


def ensure_rules() -> int:
    created = 0
    for kind, name, points, cap in DEFAULT_RULES:
        _rule, was_created = PointRule.objects.get_or_create(
            kind=kind, defaults={"name": name, "points": points, "daily_cap": cap}
        )
        created += was_created
    return created


@transaction.atomic
def do_ensure_column(home) -> StudyIndexPage:
    column = StudyIndexPage.objects.first()
    if column is None:
        column = home.add_child(
            instance=StudyIndexPage(
                title="学习", slug="xuexi", intro="学习资料、学习计划与学习档案"
            )
        )
    ensure_rules()
    return column


def ensure_unit_workflow(organisation: Organisation) -> Workflow:
    """The unit's review before release: its reviewers, then its approvers.

    Stock Wagtail group approval tasks with the unit's own role groups, so a
    reviewer of one unit never moderates another unit's materials.
    """
    name = f"学习资料审核·{organisation.name}"
    workflow = Workflow.objects.filter(name=name).first()
    if workflow is not None:
        return workflow
    workflow = Workflow.objects.create(name=name, active=True)
    for order, (role, label) in enumerate(
        [(Role.REVIEWER, "审查"), (Role.APPROVER, "审批发布")]
    ):
        task = GroupApprovalTask.objects.create(
            name=f"{organisation.name}·学习资料{label}"
        )
        task.groups.set([ensure_role_group(organisation, role)])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    return workflow


@transaction.atomic
def do_ensure_section(organisation: Organisation, column) -> StudySectionPage:
    """Gives a unit its section, page permissions and review workflow."""
    section = StudySectionPage.objects.filter(organisation=organisation).first()
    if section is None:
        section = column.add_child(
            instance=StudySectionPage(
                title=organisation.name,
                slug=f"u{organisation.pk}",
                organisation=organisation,
            )
        )
        grant_unit_pages(organisation, section)
    WorkflowPage.objects.get_or_create(
        page=section, defaults={"workflow": ensure_unit_workflow(organisation)}
    )
    return section


@transaction.atomic
def do_publish_material(
    section: StudySectionPage, material: MaterialPage, *, acting_user
) -> MaterialPage:
    """Adds (or updates) and publishes a material directly, without review.

    For importers run by platform admins (the demo); editors go through the
    section's workflow in the admin.
    """
    if material.pk is None:
        section.add_child(instance=material)
    revision = material.save_revision(user=acting_user, log_action=True)
    revision.publish(user=acting_user)
    return material


@transaction.atomic
def do_import_materials(
    section: StudySectionPage, materials: list[MaterialPage], *, acting_user
) -> list[MaterialPage]:
    """Adds already-approved materials live, for importers run by platform admins.

    Cheaper than a revision and a publish per page (the demo loads a whole
    report this way): each page is created live, the creation is audited,
    and the search index is updated once for the batch after commit.
    """
    from dangjian.study.search import index_materials_on_commit

    now = timezone.now()
    for material in materials:
        material.live = True
        material.has_unpublished_changes = False
        material.first_published_at = material.last_published_at = now
        material.owner = acting_user
        section.add_child(instance=material)
        log(material, "wagtail.publish", user=acting_user)
    index_materials_on_commit([m.pk for m in materials])
    return materials


# --- Who may open a material and its files ------------------------------------------

MATERIAL_STAFF = [Role.UNIT_ADMIN, Role.EDITOR, Role.REVIEWER, Role.APPROVER]


def works_on_material(person, material: MaterialPage) -> bool:
    """Superusers and the staff of the material's unit, who edit, review and
    preview it before and after release."""
    if person is None or not person.is_authenticated:
        return False
    if person.is_superuser:
        return True
    organisation_id = material.organisation_id
    return (
        organisation_id is not None
        and managed_organisations(person, MATERIAL_STAFF)
        .filter(pk=organisation_id)
        .exists()
    )


def can_open_material(material: MaterialPage, request) -> bool:
    """The one check behind a material's page, video, poster and attachments.

    The material must be live and within the person's visibility
    (``MaterialPage.objects.visible_to``), and any Wagtail view restriction
    on it or its parents must accept the request. Staff of its unit always
    may, so they can preview what they review.
    """
    user = request.user
    if works_on_material(user, material):
        return True
    if not MaterialPage.objects.visible_to(user).filter(pk=material.pk).exists():
        return False
    return all(
        restriction.accept_request(request)
        for restriction in material.get_view_restrictions()
    )


# --- Reading and watching ---------------------------------------------------------

# A heartbeat credits at most this much time since the previous one, so a
# tab left open overnight does not count as a night of study.
BEAT_CAP_SECONDS = 60
# One opening credits at most this multiple of the material's required time,
# and never more than this many seconds.
OPENING_CAP_FACTOR = 3
OPENING_CAP_SECONDS = 2 * 3600
# A video's reported position may run ahead of wall time by this factor plus
# a little slack (buffering, playback at 1.25x); further jumps are seeks and
# are not credited.
VIDEO_SPEED_ALLOWANCE = 1.5
VIDEO_SLACK_SECONDS = 3


@transaction.atomic
def do_open_material(material: MaterialPage, person) -> Reading:
    """Records that the person opened the material (from the page being served)."""
    now = timezone.now()
    reading = Reading.objects.create(
        person=person, material=material, opened_at=now, last_beat_at=now
    )
    progress, created = _progress_for_update(person, material, now)
    progress.opens += 1
    progress.last_seen_at = now
    progress.save(update_fields=["opens", "last_seen_at"])
    return reading


def _progress_for_update(person, material, now):
    try:
        with transaction.atomic():
            progress, created = Progress.objects.get_or_create(
                person=person,
                material=material,
                defaults={"first_opened_at": now, "last_seen_at": now},
            )
    except IntegrityError:
        created = False
    progress = Progress.objects.select_for_update().get(
        person=person, material=material
    )
    return progress, created


def check_record_beat(
    reading: Reading,
    person,
    *,
    position: float | None = None,
    finishing: bool = False,
) -> Progress:
    """Credits the time since the last heartbeat and the video progress.

    Time is measured by the server; the client only says "still here" and,
    for a video, where the player is. ``finishing`` is the "我已学完" button,
    which works without JavaScript: it may credit the whole gap since the
    last beat up to the material's required time.
    """
    if reading.person_id != person.pk:
        raise PermissionDenied("这不是您的学习记录")
    if position is not None:
        try:
            position = float(position)
        except (TypeError, ValueError):
            raise ValidationError("视频进度必须是秒数") from None
        if not (0 <= position < 24 * 3600):
            raise ValidationError("视频进度超出范围")
    with transaction.atomic():
        reading = Reading.objects.select_for_update().get(pk=reading.pk)
        material = MaterialPage.objects.select_related("video").get(
            pk=reading.material_id
        )
        now = timezone.now()
        gap = max(0.0, (now - reading.last_beat_at).total_seconds())
        required = material.required_seconds
        cap = BEAT_CAP_SECONDS if not finishing else max(BEAT_CAP_SECONDS, required)
        opening_cap = min(OPENING_CAP_SECONDS, required * OPENING_CAP_FACTOR + 60)
        credited = max(0.0, min(gap, cap, opening_cap - reading.seconds))
        reading.seconds += credited
        reading.beats += 1
        advance = 0.0
        if position is not None and material.video_id:
            # Credit only the part of the claimed progress that wall time
            # since the previous beat can explain.
            ceiling = (
                reading.position + gap * VIDEO_SPEED_ALLOWANCE + VIDEO_SLACK_SECONDS
            )
            new_position = min(position, ceiling, material.video.duration or 0)
            if new_position > reading.position:
                advance = new_position - reading.position
                reading.position = new_position
        reading.last_beat_at = now
        reading.save(update_fields=["seconds", "beats", "position", "last_beat_at"])

        progress, _created = _progress_for_update(person, material, now)
        progress.seconds += credited
        progress.position = max(progress.position, reading.position)
        progress.last_seen_at = now
        fields = ["seconds", "position", "last_seen_at"]
        if progress.completed_at is None and _is_complete(material, progress, advance):
            progress.completed_at = now
            fields.append("completed_at")
            kind = (
                PointRule.Kind.VIDEO_WATCHED
                if material.kind == MaterialPage.Kind.VIDEO
                else PointRule.Kind.ARTICLE_READ
            )
            do_award_points(
                person,
                kind,
                source=f"material:{material.pk}",
                label=material.title,
                at=now,
            )
        progress.save(update_fields=fields)
    return progress


@transaction.atomic
def do_record_past_study(person, material: MaterialPage, *, seconds: float, at):
    """Imports a completed study from another system (or the demo) as it was.

    Trusted input only: importers run by platform admins. Awards the points
    the activity earned on that day, within that day's cap.
    """
    progress, created = Progress.objects.get_or_create(
        person=person,
        material=material,
        defaults={
            "first_opened_at": at,
            "last_seen_at": at,
            "opens": 1,
            "seconds": seconds,
            "completed_at": at,
        },
    )
    if created:
        kind = (
            PointRule.Kind.VIDEO_WATCHED
            if material.kind == MaterialPage.Kind.VIDEO
            else PointRule.Kind.ARTICLE_READ
        )
        do_award_points(
            person, kind, source=f"material:{material.pk}", label=material.title, at=at
        )
    return progress


def _is_complete(material: MaterialPage, progress: Progress, advance: float) -> bool:
    if material.kind == MaterialPage.Kind.VIDEO and material.video_id:
        # The duration the server read from the file, not the player's claim.
        duration = material.video.duration
        if not duration:
            return False
        # Watched to the end: the credited position reached the last seconds,
        # and enough real time was spent watching.
        return (
            progress.position >= duration - min(2, duration * 0.05)
            and progress.seconds >= material.required_seconds
        )
    return progress.seconds >= material.required_seconds


# --- Points -------------------------------------------------------------------------


def do_award_points(
    person, kind: str, *, source: str, label: str = "", at=None
) -> PointEntry | None:
    """Writes the points an activity earns, once per source, within the daily cap.

    Returns None when the rule is off, the source already earned points, or
    the day's cap is used up. The person's row is locked so that two
    concurrent awards cannot both read the same remaining allowance.
    """
    at = at or timezone.now()
    day = timezone.localdate(at)
    with transaction.atomic():
        rule = PointRule.objects.active().filter(kind=kind).first()
        if rule is None or rule.points == 0:
            return None
        get_user_model().objects.select_for_update().filter(pk=person.pk).first()
        if PointEntry.objects.filter(
            person=person, rule=rule, source=source, corrects__isnull=True
        ).exists():
            return None
        points = rule.points
        if rule.daily_cap:
            # Corrections by an admin neither use up nor free the allowance.
            used = (
                PointEntry.objects.for_person(person)
                .on_day(day)
                .filter(rule=rule, corrects__isnull=True)
                .exclude(source__startswith=CORRECTION_PREFIX)
                .total()
            )
            points = min(points, rule.daily_cap - used)
            if points <= 0:
                return None
        return PointEntry.objects.create(
            person=person,
            rule=rule,
            source=source,
            label=label[:200],
            points=points,
            day=day,
            created_at=at,
        )


# Source of a correction not tied to one earlier entry; unique per correction.
CORRECTION_PREFIX = "correction:"
MAX_CORRECTION = 1000


def check_correct_points(
    entry: PointEntry, points: int, reason: str, *, acting_user
) -> PointEntry:
    """A correction of one ledger line: a new line that adds ``points``
    (negative to take away) under the same rule and source."""
    return check_add_point_correction(
        entry.person, entry.rule, points, reason, entry=entry, acting_user=acting_user
    )


def check_add_point_correction(
    person, rule: PointRule, points, reason: str, *, entry=None, acting_user
) -> PointEntry:
    """Adds a correction line to a person's ledger; existing lines never change.

    Only a platform admin or an admin of a unit the person belongs to may
    correct. ``points`` is non-zero, positive to add and negative to take
    away; the reason is required and kept on the line and in the audit log.
    The person's total under the rule (or the corrected line's, with
    ``entry``) may not become negative.
    """
    if not (acting_user.is_superuser or can_manage_person(acting_user, person)):
        raise PermissionDenied("您无权更正此人的积分")
    errors = {}
    try:
        points = int(points)
    except (TypeError, ValueError):
        points = None
    if points is None:
        errors["points"] = "更正分值须为整数"
    elif not points:
        errors["points"] = "更正分值不能为 0"
    elif abs(points) > MAX_CORRECTION:
        errors["points"] = f"更正分值不能超过 ±{MAX_CORRECTION}"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "请填写更正原因"
    elif len(reason) > 150:
        errors["reason"] = "更正原因不能超过 150 字"
    if rule is None:
        errors["rule"] = "请选择积分项目"
    if entry is not None:
        if entry.person_id != person.pk or entry.rule_id != rule.pk:
            errors["entry"] = "更正的记录与人员或积分项目不符"
        elif entry.corrects_id is not None:
            errors["entry"] = "请更正原始记录，而不是更正记录"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the person so two corrections cannot both pass the floor check.
        get_user_model().objects.select_for_update().filter(pk=person.pk).first()
        if entry is not None:
            base = entry.points + sum(
                entry.corrections.values_list("points", flat=True)
            )
        else:
            base = PointEntry.objects.for_person(person).filter(rule=rule).total()
        if base + points < 0:
            raise ValidationError({"points": "更正后该项积分不能为负数"})
        correction = PointEntry.objects.create(
            person=person,
            rule=rule,
            source=entry.source
            if entry is not None
            else f"{CORRECTION_PREFIX}{secrets.token_hex(8)}",
            label=f"更正：{reason}"[:200],
            points=points,
            day=timezone.localdate(),
            corrects=entry,
            created_by=acting_user,
        )
        log(
            correction,
            "dangjian.study.correct_points",
            user=acting_user,
            data={
                "person": person.pk,
                "rule": rule.kind,
                "entry": entry.pk if entry is not None else None,
                "points": points,
                "reason": reason,
            },
        )
    return correction


def correctable_people(manager):
    """People a manager may correct points for: active members of the units
    they administer (everyone with a membership, for a platform admin)."""
    people = get_user_model().objects.filter(is_active=True)
    memberships = Membership.objects.active()
    if not manager.is_superuser:
        memberships = memberships.filter(
            organisation__in=managed_organisations(manager, [Role.UNIT_ADMIN])
        )
    return people.filter(pk__in=memberships.values("person_id")).order_by("username")


def _managed_person_ids(manager, person_ids) -> list[int]:
    orgs = managed_organisations(manager, [Role.UNIT_ADMIN])
    return list(
        Membership.objects.filter(person_id__in=person_ids, organisation__in=orgs)
        .values_list("person_id", flat=True)
        .distinct()
    )


def can_manage_person(manager, person) -> bool:
    if manager.is_superuser:
        return True
    return bool(_managed_person_ids(manager, [person.pk]))


# --- Sessions -------------------------------------------------------------------------


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
        raise ValidationError("签到码为 6 位数字")
    candidates = StudySession.objects.filter(checkin_code=code).order_by("-starts_at")
    if not candidates:
        raise ValidationError("签到码不正确")
    open_now = [s for s in candidates if s.code_window()[0] <= at <= s.code_window()[1]]
    if not open_now:
        raise ValidationError("签到码已过期或尚未开始，请在学习会进行期间签到")
    reachable = [s for s in open_now if _in_organisation(person, s.organisation_id)]
    if not reachable:
        raise PermissionDenied("您不是该学习会所在组织的成员")
    return do_record_attendance(
        reachable[0], person, method=Attendance.Method.CODE, acting_user=person, at=at
    )


def check_record_attendance_by_organiser(
    session: StudySession, person, *, acting_user
) -> Attendance:
    if not can_manage_session(acting_user, session):
        raise PermissionDenied("只有组织人或单位管理员可以登记出席")
    if not _in_organisation(person, session.organisation_id):
        raise ValidationError("此人不是该学习会所在组织的成员")
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
        raise PermissionDenied("只有组织人或单位管理员可以填写会议记录")
    minutes = (minutes or "").strip()
    if len(minutes) > 20000:
        raise ValidationError("会议记录不能超过 20000 字")
    session.minutes = minutes
    session.save(update_fields=["minutes"])
    log(session, "dangjian.study.save_minutes", user=acting_user)


# --- Notes ----------------------------------------------------------------------------


def check_write_note(person, title: str, body: str, material=None) -> Note:
    title = (title or "").strip()
    body = (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > 100:
        errors["title"] = "标题不能超过 100 字"
    if len(body) < 10:
        errors["body"] = "心得内容至少 10 个字"
    elif len(body) > 10000:
        errors["body"] = "心得内容不能超过 10000 字"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        note = Note.objects.create(
            person=person, title=title, body=body, material=material
        )
        do_award_points(
            person, PointRule.Kind.NOTE_WRITTEN, source=f"note:{note.pk}", label=title
        )
    return note


# --- Spot checks ------------------------------------------------------------------------


def spot_check_population(unit: Organisation) -> dict[int, list[int]]:
    """Members of the unit's branches (and of the unit itself), by branch id.

    A person in two branches of the unit is counted once, in the first branch
    by tree order, so the strata do not overlap.
    """
    rows = (
        Membership.objects.active()
        .filter(role=Role.MEMBER, organisation__path__startswith=unit.path)
        .order_by("organisation__path", "person_id")
        .values_list("organisation_id", "person_id")
    )
    strata: dict[int, list[int]] = {}
    seen: set[int] = set()
    for branch_id, person_id in rows:
        if person_id in seen:
            continue
        seen.add(person_id)
        strata.setdefault(branch_id, []).append(person_id)
    return strata


def draw_sample(
    strata: dict[int, list[int]], size: int, seed: int
) -> list[tuple[int, int]]:
    """A stratified random sample: ``size`` people allotted to strata in
    proportion to their size (largest remainders), drawn with ``seed``.

    The same strata, size and seed always give the same sample.
    """
    total = sum(len(people) for people in strata.values())
    size = max(0, min(size, total))
    if not size:
        return []
    keys = sorted(strata)
    quotas = {k: size * len(strata[k]) / total for k in keys}
    allotted = {k: int(quotas[k]) for k in keys}
    rest = size - sum(allotted.values())
    by_remainder = sorted(keys, key=lambda k: (-(quotas[k] - allotted[k]), k))
    for k in by_remainder[:rest]:
        allotted[k] += 1
    rng = random.Random(seed)
    sample = []
    for k in keys:
        people = sorted(strata[k])
        sample += [(k, p) for p in sorted(rng.sample(people, allotted[k]))]
    return sample


def check_create_spot_check(
    unit: Organisation,
    *,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    size: int | None = None,
    percent: int | None = None,
    seed: int | None = None,
    checkers=(),
    acting_user,
) -> SpotCheck:
    if not (
        acting_user.is_superuser
        or managed_organisations(acting_user, [Role.UNIT_ADMIN])
        .filter(pk=unit.pk)
        .exists()
    ):
        raise PermissionDenied("只有本单位管理员可以抽查")
    errors = {}
    if not (title or "").strip():
        errors["title"] = "请填写名称"
    if period_end < period_start:
        errors["period_end"] = "期间结束不能早于开始"
    if (size is None) == (percent is None):
        errors["size"] = "请填写抽取人数或抽取比例（二选一）"
    elif size is not None and size < 1:
        errors["size"] = "抽取人数至少为 1"
    elif percent is not None and not (1 <= percent <= 100):
        errors["percent"] = "抽取比例须在 1–100 之间"
    if errors:
        raise ValidationError(errors)
    strata = spot_check_population(unit)
    population = sum(len(p) for p in strata.values())
    if not population:
        raise ValidationError("该单位没有可抽查的党员")
    wanted = size if size is not None else max(1, round(population * percent / 100))
    seed = seed if seed is not None else secrets.randbits(48)
    with transaction.atomic():
        spot_check = SpotCheck.objects.create(
            organisation=unit,
            title=title.strip(),
            period_start=period_start,
            period_end=period_end,
            sample_size=size,
            sample_percent=percent,
            seed=seed,
            population=population,
            created_by=acting_user,
        )
        if checkers:
            spot_check.checkers.set(checkers)
        SpotCheckItem.objects.bulk_create(
            [
                SpotCheckItem(spot_check=spot_check, person_id=p, branch_id=b)
                for b, p in draw_sample(strata, wanted, seed)
            ]
        )
        log(
            spot_check,
            "dangjian.study.draw_spot_check",
            user=acting_user,
            data={"seed": seed, "population": population, "sample": wanted},
        )
    return spot_check


def can_check(person, spot_check: SpotCheck) -> bool:
    if not person.is_authenticated:
        return False
    if person.is_superuser:
        return True
    if spot_check.checkers.filter(pk=person.pk).exists():
        return True
    return (
        managed_organisations(person, [Role.UNIT_ADMIN])
        .filter(pk=spot_check.organisation_id)
        .exists()
    )


@transaction.atomic
def check_record_spot_result(
    item: SpotCheckItem, result: str, comment: str, *, acting_user
) -> SpotCheckItem:
    if not can_check(acting_user, item.spot_check):
        raise PermissionDenied("您不是这次抽查的检查人")
    if result not in (SpotCheckItem.Result.PASS, SpotCheckItem.Result.IMPROVE):
        raise ValidationError("请选择“合格”或“需改进”")
    comment = (comment or "").strip()
    if result == SpotCheckItem.Result.IMPROVE and not comment:
        raise ValidationError("需改进时请写明意见")
    if len(comment) > 2000:
        raise ValidationError("意见不能超过 2000 字")
    item.result = result
    item.comment = comment
    item.checked_by = acting_user
    item.checked_at = timezone.now()
    item.save(update_fields=["result", "comment", "checked_by", "checked_at"])
    log(
        item.spot_check,
        "dangjian.study.record_spot_result",
        user=acting_user,
        data={"person": item.person_id, "result": result, "comment": comment},
    )
    return item
