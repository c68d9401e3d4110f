"""Roster files: read, check every row, land all of them or none.

The header row is ``姓名,性别,民族,出生日期,身份证号,手机号,学历,入党日期,
转正日期,党员类别,所在党组织,职务`` (CSV in UTF-8 or GBK, or .xlsx; read by
``dangjian.lib.tabular``). The organisation is named by its full name or by
its path (``中共示范市委/市委宣传部/宣传部第一党支部``).

A member is matched by the keyed hash of their ID number: importing the same
number again updates the record. A new member gets an account that cannot
sign in until they activate it by SMS code; a person already on the platform
as a member of that branch with the same name (and no record yet) is given
the record instead of a second account.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.lib.tabular import Limits, TabularError, read_table
from dangjian.members import identity
from dangjian.members.models import (
    Category,
    MemberProfile,
    Sex,
    Status,
    StatusChange,
)
from dangjian.members.permissions import managed_units
from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.orgs.scope import forget_scope

COLUMNS = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号",
    "手机号",
    "学历",
    "入党日期",
    "转正日期",
    "党员类别",
    "所在党组织",
    "职务",
]
REQUIRED = ["姓名", "性别", "身份证号", "入党日期", "党员类别", "所在党组织"]
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MOBILE = re.compile(r"^1[3-9]\d{9}$")
DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
PATH_SEPARATORS = re.compile(r"\s*[/／>＞]\s*")
# Rows are written in batches: SQLite takes at most 999 parameters a query
# in old builds, and PostgreSQL prefers fewer round trips.
BATCH = 500

UPDATED_FIELDS = [
    "branch",
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "mobile",
    "education",
    "joined_on",
    "full_member_on",
    "category",
    "position",
    "updated_at",
]


@dataclass
class Row:
    line: int
    id_number: str
    id_hash: str
    branch: Organisation
    fields: dict[str, Any]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    attached: int = 0
    branches: set[int] = field(default_factory=set)


def _check_header(headings: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in headings]
    if missing:
        raise TabularError(
            _("第一行应为列名：%(columns)s；缺少：%(missing)s。")
            % {"columns": "、".join(COLUMNS), "missing": "、".join(missing)}
        )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: object) -> dt.date | None:
    """A date from a cell: an Excel date, ``2001-07-01``, ``2001/7/1``,
    ``2001.7.1``, ``2001年7月1日`` or ``20010701``; None when it is none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = DATE.match(text)
    if not match:
        raise ValueError(text)
    return dt.date(*(int(g) for g in match.groups()))


class Organisations:
    """Finds an organisation by its full name or by its path of names."""

    def __init__(self) -> None:
        self.by_name: dict[str, Organisation] = {}
        self.by_path: dict[str, Organisation] = {}
        for org in Organisation.objects.filter(is_active=True):
            self.by_name[org.name] = org
            self.by_path[org.path] = org

    def find(self, text: str) -> Organisation | None:
        found = self.by_name.get(text)
        if found is not None:
            return found
        names = [n for n in PATH_SEPARATORS.split(text) if n]
        if len(names) < 2:
            return None
        org = self.by_name.get(names[-1])
        if org is None:
            return None
        steplen = Organisation.steplen
        chain = [
            self.by_path.get(org.path[:i])
            for i in range(steplen, len(org.path), steplen)
        ]
        # The path may start at any ancestor, but must follow the tree.
        have = [o.name for o in chain if o is not None][-(len(names) - 1) :]
        return org if have == names[:-1] else None


def check_row(
    values: dict[str, Any],
    orgs: Organisations | None,
    allowed: set[int],
    today: dt.date,
    *,
    branch: Organisation | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """One row's values, cleaned, and its errors in Chinese. ``branch``: the
    organisation chosen in a form instead of named in the row."""
    errors: list[str] = []
    cleaned: dict[str, Any] = {}
    for column in REQUIRED:
        if not _text(values.get(column)):
            errors.append(_("“%(column)s”不能为空") % {"column": column})
    limits = {"姓名": 50, "民族": 20, "学历": 30, "职务": 50}
    for column, size in limits.items():
        if len(_text(values.get(column))) > size:
            errors.append(
                _("“%(column)s”超过 %(n)d 个字") % {"column": column, "n": size}
            )
    sex = _text(values.get("性别"))
    if sex and sex not in Sex.values:
        errors.append(_("性别应为“男”或“女”"))
    category = _text(values.get("党员类别"))
    if category and category not in Category.values:
        errors.append(_("党员类别应为“正式党员”或“预备党员”"))
    number, reason = identity.check_id_number(values.get("身份证号"))
    if reason and _text(values.get("身份证号")):
        errors.append(reason)
    mobile = re.sub(r"[\s-]", "", _text(values.get("手机号")))
    if mobile and not MOBILE.match(mobile):
        errors.append(_("手机号应为11位大陆手机号"))
    dates: dict[str, dt.date | None] = {}
    for column in ("出生日期", "入党日期", "转正日期"):
        try:
            dates[column] = (
                parse_date(values.get(column))
                if _text(values.get(column)) or isinstance(values.get(column), dt.date)
                else None
            )
        except ValueError:
            errors.append(
                _("“%(column)s”不是有效日期（例如 2001-07-01）") % {"column": column}
            )
            dates[column] = None
        else:
            if dates[column] and dates[column] > today:  # type: ignore[operator]
                errors.append(_("“%(column)s”晚于今天") % {"column": column})
    born, joined, full = dates["出生日期"], dates["入党日期"], dates["转正日期"]
    if number:
        from_id = identity.birth_date(number)
        if born and born != from_id:
            errors.append(_("出生日期与身份证号不符"))
        born = born or from_id
    if born and joined and joined <= born:
        errors.append(_("入党日期早于出生日期"))
    if joined and full and full < joined:
        errors.append(_("转正日期早于入党日期"))
    if category == Category.PROBATIONARY and full:
        errors.append(_("预备党员不应填写转正日期"))
    org_text = _text(values.get("所在党组织"))
    if branch is not None:
        org_text = branch.name
    elif org_text and orgs is not None:
        branch = orgs.find(org_text)
    if org_text:
        if branch is None:
            errors.append(
                _("找不到党组织“%(name)s”（请写全称或路径）") % {"name": org_text}
            )
        elif not branch.is_branch:
            errors.append(_("“%(name)s”不是党支部") % {"name": org_text})
        elif branch.pk not in allowed:
            errors.append(
                _("无权导入到“%(name)s”：不是您管理的党组织") % {"name": org_text}
            )
    cleaned = {
        "number": number,
        "branch": branch,
        "name": _text(values.get("姓名")),
        "sex": sex,
        "ethnicity": _text(values.get("民族")),
        "birth_date": born,
        "mobile": mobile,
        "education": _text(values.get("学历")),
        "joined_on": joined,
        "full_member_on": full,
        "category": category,
        "position": _text(values.get("职务")),
    }
    return cleaned, errors


def read_roster(name: str, data: bytes, *, user) -> list[Row]:
    """Every row of the file, checked; ``ValidationError`` lists every bad row
    ("第 N 行：…") and nothing is returned."""
    limits = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_columns=40)
    orgs = Organisations()
    allowed = set(managed_units(user).values_list("pk", flat=True))
    today = timezone.localdate()
    rows: list[Row] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}

    def bad(line: int, message: str) -> None:
        errors.append(_("第 %(line)d 行：%(error)s") % {"line": line, "error": message})

    try:
        records = list(
            read_table(name, data, check_header=_check_header, limits=limits)
        )
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    for record in records:
        cleaned, row_errors = check_row(record.values, orgs, allowed, today)
        row_errors = record.errors + row_errors
        number = cleaned.pop("number")
        digest = identity.id_hash(number) if number else ""
        if digest:
            if digest in first_line:
                row_errors.append(
                    _("身份证号与第 %(line)d 行重复") % {"line": first_line[digest]}
                )
            else:
                first_line[digest] = record.line
        for message in row_errors:
            bad(record.line, message)
        if not row_errors:
            rows.append(
                Row(record.line, number, digest, cleaned.pop("branch"), cleaned)
            )
    if not records:
        raise ValidationError(_("文件中没有数据行。"))
    # Members registered in a branch the importer does not manage (another
    # unit's): the unit is not named, only that a transfer is needed.
    lines = {row.id_hash: row.line for row in rows}
    hashes = list(lines)
    for start in range(0, len(hashes), BATCH):
        for digest, branch_id in MemberProfile.objects.filter(
            id_hash__in=hashes[start : start + BATCH]
        ).values_list("id_hash", "branch_id"):
            if branch_id not in allowed:
                bad(
                    lines[digest],
                    _("该党员已在其他单位的党组织登记，请办理组织关系转接"),
                )
    if errors:
        errors.sort(key=lambda e: int(re.search(r"\d+", e).group()))  # type: ignore[union-attr]
        raise ValidationError(errors)
    return rows


def import_roster(name: str, data: bytes, *, user) -> ImportResult:
    """Checks the whole file, then lands every row in one transaction."""
    rows = read_roster(name, data, user=user)
    with transaction.atomic():
        return _land(rows, user=user, source=name)


def _existing_profiles(rows: list[Row]) -> dict[str, MemberProfile]:
    found: dict[str, MemberProfile] = {}
    hashes = [row.id_hash for row in rows]
    for start in range(0, len(hashes), BATCH):
        for profile in MemberProfile.objects.select_for_update().filter(
            id_hash__in=hashes[start : start + BATCH]
        ):
            found[profile.id_hash] = profile
    return found


def _unclaimed_members(rows: list[Row]) -> dict[tuple[int, str], list[int]]:
    """People already members of these branches, by (branch, name), who have
    no record yet."""
    branches = {row.branch.pk for row in rows}
    found: dict[tuple[int, str], list[int]] = defaultdict(list)
    memberships = Membership.objects.filter(
        role=Role.MEMBER,
        organisation_id__in=branches,
        person__member_profile__isnull=True,
    ).values_list("organisation_id", "person__name", "person_id")
    for branch_id, name, person_id in memberships:
        found[branch_id, name].append(person_id)
    return found


def _land(rows: list[Row], *, user, source: str) -> ImportResult:
    Person = get_user_model()
    result = ImportResult()
    now = timezone.now()
    existing = _existing_profiles(rows)
    unclaimed = _unclaimed_members(rows)
    taken: set[int] = set()

    updates: list[MemberProfile] = []
    changed: list[MemberProfile] = []
    moved: list[tuple[MemberProfile, int]] = []
    new_rows: list[tuple[Row, int | None]] = []
    for row in rows:
        profile = existing.get(row.id_hash)
        if profile is not None:
            old_branch = profile.branch_id
            before = [getattr(profile, name) for name in row.fields]
            for key, value in row.fields.items():
                setattr(profile, key, value)
            profile.branch = row.branch
            updates.append(profile)
            if before != list(row.fields.values()) or old_branch != row.branch.pk:
                profile.updated_at = now
                changed.append(profile)
            if old_branch != row.branch.pk:
                moved.append((profile, old_branch))
            continue
        candidates = [
            pk
            for pk in unclaimed.get((row.branch.pk, row.fields["name"]), [])
            if pk not in taken
        ]
        person_id = candidates[0] if len(candidates) == 1 else None
        if person_id is not None:
            taken.add(person_id)
        new_rows.append((row, person_id))

    # New accounts: unusable passwords and inactive until the SMS activation.
    unusable = make_password(None)
    people = [
        Person(
            username=f"m{row.id_hash[:15]}",
            name=row.fields["name"],
            mobile=row.fields["mobile"],
            password=unusable,
            is_active=False,
        )
        for row, person_id in new_rows
        if person_id is None
    ]
    Person.objects.bulk_create(people, batch_size=BATCH)
    by_username = dict(
        Person.objects.filter(username__in=[p.username for p in people]).values_list(
            "username", "pk"
        )
    )
    profiles = []
    for row, person_id in new_rows:
        attached = person_id is not None
        if person_id is None:
            owner: int = by_username[f"m{row.id_hash[:15]}"]
        else:
            owner = person_id
            result.attached += 1
        profiles.append(
            MemberProfile(
                person_id=owner,
                branch=row.branch,
                id_hash=row.id_hash,
                id_masked=identity.mask(row.id_number),
                id_sealed=identity.seal(row.id_number),
                status=Status.REGISTERED,
                # People already on the platform keep signing in as before.
                activated_at=now if attached else None,
                created_at=now,
                updated_at=now,
                **row.fields,
            )
        )
    MemberProfile.objects.bulk_create(profiles, batch_size=BATCH)
    created = list(
        MemberProfile.objects.filter(
            id_hash__in=[p.id_hash for p in profiles]
        ).values_list("pk", "person_id", "branch_id")
    )
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                profile_id=pk,
                previous="",
                status=Status.REGISTERED,
                effective_on=now.date(),
                reason=_("名册导入"),
                changed_by=user,
                created_at=now,
            )
            for pk, _person, _branch in created
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [
            Membership(person_id=person, organisation_id=branch, role=Role.MEMBER)
            for _pk, person, branch in created
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    for profile in changed:
        # One UPDATE a changed row: bulk_update's CASE expressions cost more
        # than they save at this size, and unchanged rows cost nothing.
        MemberProfile.objects.filter(pk=profile.pk).update(
            **{name: getattr(profile, name) for name in UPDATED_FIELDS}
        )
    for profile, old_branch in moved:
        # A move between the importer's own branches: the membership follows.
        Membership.objects.filter(
            person_id=profile.person_id, organisation_id=old_branch, role=Role.MEMBER
        ).delete()
        Membership.objects.get_or_create(
            person_id=profile.person_id, organisation=profile.branch, role=Role.MEMBER
        )
        forget_scope(profile.person)
    result.created = len(profiles)
    result.updated = len(updates)
    result.branches = {row.branch.pk for row in rows}
    _log_import(rows, user=user, source=source, when=now)
    return result


def _log_import(rows: list[Row], *, user, source: str, when) -> None:
    """One audit entry per branch the file touched, written in one insert."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        counts[row.branch.pk] += 1
    content_type = ContentType.objects.get_for_model(Organisation)
    ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(
                content_type=content_type,
                object_id=str(branch.pk),
                label=branch.name,
                action="dangjian.members.import",
                data={"file": source[:100], "rows": counts[branch.pk]},
                user=user,
                timestamp=when,
            )
            for branch in Organisation.objects.filter(pk__in=counts)
        ],
        batch_size=BATCH,
    )
