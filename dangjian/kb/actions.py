"""Every change to knowledge entries, imports and the search log goes through here.

Who may edit which entries is ``permissions``; the search log's writes are
``searchlog`` (which the search itself also uses).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from dangjian.kb import searchlog
from dangjian.kb.importer import read_rows
from dangjian.kb.models import AnswerFeedback, Entry, ImportBatch, SearchLog
from dangjian.kb.permissions import check_can_edit_entry, editable_units
from dangjian.kb.search import kb_index
from dangjian.lib import ratelimit
from dangjian.lib.text import has_control_chars
from dangjian.orgs.models import Organisation, Person

IMPORT_FIELDS = [
    "matter",
    "question",
    "answer",
    "policy_basis",
    "policy_links",
    "handling_unit",
    "contact",
    "area",
    "category",
    "keywords",
    "valid_from",
    "valid_until",
    "owner",
    "source",
]
LIMITS = {
    "external_id": (gettext_lazy("外部编号"), 100),
    "matter": (gettext_lazy("事项名称"), 300),
    "handling_unit": (gettext_lazy("办理单位"), 200),
    "contact": (gettext_lazy("联系方式"), 200),
    "area": (gettext_lazy("适用区域"), 200),
    "category": (gettext_lazy("分类"), 100),
    "keywords": (gettext_lazy("关键词"), 500),
}
DATE_FIELDS = {
    "valid_from": gettext_lazy("生效日期"),
    "valid_until": gettext_lazy("失效日期"),
}

User = Person | AnonymousUser


# --- publishing ---------------------------------------------------------------


def sync_entry_to_index(entry: Entry) -> None:
    """After commit, put the entry in the index if it is searchable, else take it out."""
    index = kb_index()
    if entry.is_searchable:
        index.upsert_on_commit([entry.search_document()])
    else:
        index.delete_on_commit([str(entry.pk)])


@transaction.atomic
def do_publish_entry(entry: Entry, *, user: Person) -> Entry:
    """Publishes the entry's current state (used by imports and tests; the admin
    publishes through Wagtail's workflow, which ends in the same signal)."""
    check_can_edit_entry(user, entry)
    revision = entry.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    entry.refresh_from_db()
    return entry


# --- imports ------------------------------------------------------------------


@dataclass
class ImportResult:
    batch: ImportBatch | None  # None when nothing changed and nothing was recorded
    created: int
    updated: int


class ImportRejected(ValidationError):
    """The whole file is rejected; `messages` lists every bad row."""


def _parse_date(value: object) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def check_import_entries(
    name: str,
    data: bytes,
    *,
    user: User,
    resolve_owner: Callable[[str], Organisation | None] | None = None,
    default_owner: Organisation | None = None,
) -> list[dict[str, Any]]:
    """Reads and validates a whole file; raises ImportRejected listing every bad row.

    Owners are matched by unit name (or `resolve_owner`), must maintain the
    knowledge base, and must be a unit the importing person manages.
    """
    rows = read_rows(name, data)
    allowed = {o.pk: o for o in editable_units(user)}
    by_name = {o.name: o for o in Organisation.objects.maintaining_kb()}
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen_ids: dict[str, int] = {}
    for number, raw in rows:
        problems: list[str] = []
        row = {k: str(v).strip() for k, v in raw.items() if v is not None}
        if not row.get("matter"):
            problems.append(_("缺少事项名称"))
        if not row.get("answer"):
            problems.append(_("缺少答复口径"))
        for key, (label, limit) in LIMITS.items():
            if len(row.get(key, "")) > limit:
                problems.append(
                    _("%(label)s超过 %(limit)d 字") % {"label": label, "limit": limit}
                )
        dates: dict[str, datetime.date | None] = {}
        for key, label in DATE_FIELDS.items():
            # A spreadsheet's date cell arrives as a date, anything else as text.
            value = raw.get(key)
            try:
                dates[key] = _parse_date(
                    value if isinstance(value, datetime.date) else row.get(key)
                )
            except ValueError:
                problems.append(
                    _("%(label)s“%(value)s”不是有效日期（应为 2025-01-31）")
                    % {"label": label, "value": row.get(key)}
                )
                dates[key] = None
        valid_from, valid_until = dates["valid_from"], dates["valid_until"]
        if valid_from and valid_until and valid_until < valid_from:
            problems.append(_("失效日期早于生效日期"))
        owner_name = row.get("owner", "")
        owner = (
            by_name.get(owner_name)
            or (resolve_owner(owner_name) if resolve_owner else None)
            or default_owner
        )
        if owner is None:
            problems.append(
                _("责任单位“%(name)s”不存在或不维护知识库") % {"name": owner_name}
                if owner_name
                else _("缺少责任单位")
            )
        elif owner.pk not in allowed:
            problems.append(_("无权导入“%(name)s”的条目") % {"name": owner.name})
        external_id = row.get("external_id") or None
        if external_id:
            if external_id in seen_ids:
                problems.append(
                    _("外部编号 %(id)s 与第 %(line)d 行重复")
                    % {"id": external_id, "line": seen_ids[external_id]}
                )
            seen_ids[external_id] = number
        if problems:
            errors.append(
                _("第 %(line)d 行：%(problems)s")
                % {"line": number, "problems": "；".join(problems)}
            )
            continue
        cleaned.append(
            {
                "external_id": external_id,
                "matter": row["matter"],
                "question": row.get("question", ""),
                "answer": row["answer"],
                "policy_basis": row.get("policy_basis", ""),
                "policy_links": row.get("policy_links", ""),
                "handling_unit": row.get("handling_unit", ""),
                "contact": row.get("contact", ""),
                "area": row.get("area", ""),
                "category": row.get("category", ""),
                "keywords": row.get("keywords", ""),
                "valid_from": valid_from,
                "valid_until": valid_until,
                "owner": owner,
                "source": name[:300],
            }
        )
    if errors:
        raise ImportRejected(errors)
    return cleaned


@transaction.atomic
def do_import_entries(
    cleaned: list[dict[str, Any]],
    *,
    user: User | None,
    file_name: str,
    reindex: bool = True,
    record_unchanged: bool = True,
) -> ImportResult:
    """Creates or updates (by external id) every row, published, in one transaction.

    Imports are a platform or unit administrator's bulk load and go live at
    once; one audit record names the file, the counts and the person. Rows
    go in with bulk queries and are indexed together after commit.
    """
    ext_ids = [r["external_id"] for r in cleaned if r["external_id"]]
    existing = (
        Entry.objects.in_bulk(ext_ids, field_name="external_id") if ext_ids else {}
    )
    now = timezone.now()
    to_create: list[Entry] = []
    to_update: list[Entry] = []
    for row in cleaned:
        entry = existing.get(row["external_id"]) if row["external_id"] else None
        if entry is None:
            entry = Entry(
                **row,
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
            )
            to_create.append(entry)
        else:
            differs = False
            for key in IMPORT_FIELDS:
                # Compare the owner by id: reading entry.owner costs a query.
                current = entry.owner_id if key == "owner" else getattr(entry, key)
                wanted = row[key].pk if key == "owner" else row[key]
                if current != wanted:
                    setattr(entry, key, row[key])
                    differs = True
            if differs:
                entry.live = True
                entry.last_published_at = now
                entry.updated_at = now
                to_update.append(entry)
    Entry.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Entry.objects.bulk_update(
            to_update,
            [*IMPORT_FIELDS, "live", "last_published_at", "updated_at"],
            batch_size=500,
        )
    if not (to_create or to_update) and not record_unchanged:
        return ImportResult(batch=None, created=0, updated=0)
    importer = user if isinstance(user, Person) and user.pk else None
    batch = ImportBatch.objects.create(
        file_name=file_name[:300],
        created=len(to_create),
        updated=len(to_update),
        imported_by=importer,
    )
    log(
        batch,
        "dangjian.kb.import",
        user=importer,
        data={"file": file_name, "created": len(to_create), "updated": len(to_update)},
    )
    changed = [e for e in [*to_create, *to_update] if e.pk]
    if not all(e.pk for e in to_create):
        # Backends without RETURNING ids on bulk insert: read them back.
        changed = list(
            Entry.objects.filter(
                external_id__in=[e.external_id for e in to_create if e.external_id]
            )
        )
        changed += to_update
    if not reindex:
        return ImportResult(batch=batch, created=len(to_create), updated=len(to_update))
    searchable = [e for e in changed if e.is_searchable]
    gone = [str(e.pk) for e in changed if not e.is_searchable]
    index = kb_index()
    if searchable:
        index.upsert_on_commit([e.search_document() for e in searchable])
    if gone:
        index.delete_on_commit(gone)
    return ImportResult(batch=batch, created=len(to_create), updated=len(to_update))


def import_file(
    name: str,
    data: bytes,
    *,
    user: User,
    reindex: bool = True,
    record_unchanged: bool = True,
    resolve_owner: Callable[[str], Organisation | None] | None = None,
    default_owner: Organisation | None = None,
) -> ImportResult:
    """Imports a file; ``record_unchanged=False`` records no batch for a no-op."""
    cleaned = check_import_entries(
        name,
        data,
        user=user,
        resolve_owner=resolve_owner,
        default_owner=default_owner,
    )
    return do_import_entries(
        cleaned,
        user=user,
        file_name=name,
        reindex=reindex,
        record_unchanged=record_unchanged,
    )


# --- search log -------------------------------------------------------------


def do_log_search(
    query: str,
    result_count: int,
    *,
    channel: str,
    routed_unit: Organisation | None = None,
    routed_unit_id: int | None = None,
) -> str:
    """Logs a search (off the request path, see searchlog); returns its token.

    The unit likely responsible is given as an organisation or by its id.
    """
    if routed_unit is not None:
        routed_unit_id = routed_unit.pk
    return searchlog.record_search(
        query, result_count, channel=channel, routed_unit_id=routed_unit_id
    )


def do_log_click(log: str | int, entry: Entry) -> None:
    """Records the entry a search led to; only the first click of a search counts.

    `log` is the token of the search (or, for links made before tokens, the
    row id).
    """
    if isinstance(log, int) or str(log).isdigit():
        SearchLog.objects.filter(pk=int(log), clicked_entry__isnull=True).update(
            clicked_entry=entry
        )
    elif log:
        searchlog.record_click(str(log), entry.pk)


# --- expiry -----------------------------------------------------------------


def do_sweep_expired() -> int:
    """Takes expired (and not yet valid) entries out of the index; run daily.

    Search re-checks validity on every hit anyway, so this only keeps the
    index's counts honest.
    """
    index = kb_index()
    valid = Entry.objects.searchable()
    stale = Entry.objects.exclude(pk__in=valid.values("pk")).values_list(
        "pk", flat=True
    )
    ids = [str(pk) for pk in stale]
    if ids:
        index.delete(ids)
    return len(ids)


# "这个回答有帮助吗" ------------------------------------------------------------

FEEDBACK_COMMENT_MAX = 300
# Per network address: a few ratings an hour, one per entry a day.
FEEDBACK_PER_HOUR = 20


class FeedbackRefused(ValidationError):
    pass


@transaction.atomic
def check_rate_answer(
    entry: Entry, helpful: str, comment: str = "", *, client: str
) -> AnswerFeedback:
    """Records a citizen's rating of a published entry.

    1. The entry must be searchable (published and valid today).
    2. ``helpful`` is "yes" or "no"; a comment is optional, at most 300
       characters, without control characters.
    3. One rating per entry and network address a day, and a few an hour.
    """
    if not entry.is_searchable:
        raise FeedbackRefused(_("该答复已下线，无法评价"), code="offline")
    if helpful not in ("yes", "no"):
        raise FeedbackRefused(_("请选择“有帮助”或“没帮助”"), code="invalid")
    comment = (comment or "").strip()
    if has_control_chars(comment):
        raise FeedbackRefused(
            _("意见中含有无法识别的字符，请删除后重试"), code="invalid_chars"
        )
    if len(comment) > FEEDBACK_COMMENT_MAX:
        raise FeedbackRefused(
            _("意见最多 %(n)d 个字，请精简后再提交") % {"n": FEEDBACK_COMMENT_MAX},
            code="too_long",
        )
    if not ratelimit.allow("kb-feedback", client, FEEDBACK_PER_HOUR, 3600):
        raise FeedbackRefused(_("评价过于频繁，请稍后再试"), code="busy")
    if not ratelimit.allow("kb-feedback-entry", f"{client}:{entry.pk}", 1, 86400):
        raise FeedbackRefused(_("您已评价过这条答复，感谢您的反馈"), code="duplicate")
    return AnswerFeedback.objects.create(
        entry=entry, helpful=helpful == "yes", comment=comment
    )
