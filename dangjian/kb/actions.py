"""Every change to knowledge entries, imports and the search log goes through here."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from dangjian.kb import searchlog
from dangjian.kb.importer import read_rows
from dangjian.kb.models import Entry, ImportBatch, SearchLog
from dangjian.kb.search import kb_index
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.scope import managed_organisations

EDITING_ROLES = [Role.UNIT_ADMIN, Role.EDITOR, Role.REVIEWER, Role.APPROVER]
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
    "external_id": ("外部编号", 100),
    "matter": ("事项名称", 300),
    "handling_unit": ("办理单位", 200),
    "contact": ("联系方式", 200),
    "area": ("适用区域", 200),
    "category": ("分类", 100),
    "keywords": ("关键词", 500),
}


# --- permissions ------------------------------------------------------------


def editable_units(person):
    """Units whose entries this person may edit: their own units (all for admins)."""
    return managed_organisations(person, EDITING_ROLES).filter(maintains_kb=True)


def check_can_edit_entry(person, entry: Entry) -> None:
    if not editable_units(person).filter(pk=entry.owner_id).exists():
        raise PermissionDenied("只能编辑本单位的知识条目。")


# --- publishing ---------------------------------------------------------------


def sync_entry_to_index(entry: Entry) -> None:
    """After commit, put the entry in the index if it is searchable, else take it out."""
    index = kb_index()
    if entry.is_searchable:
        index.upsert_on_commit([entry.search_document()])
    else:
        index.delete_on_commit([str(entry.pk)])


@transaction.atomic
def do_publish_entry(entry: Entry, *, user) -> Entry:
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


def _parse_date(value) -> datetime.date | None:
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
    user,
    resolve_owner: Callable[[str], Organisation | None] | None = None,
    default_owner: Organisation | None = None,
) -> list[dict]:
    """Reads and validates a whole file; raises ImportRejected listing every bad row.

    Owners are matched by unit name (or `resolve_owner`), must maintain the
    knowledge base, and must be a unit the importing person manages.
    """
    rows = read_rows(name, data)
    allowed = {o.pk: o for o in editable_units(user)}
    by_name = {o.name: o for o in Organisation.objects.maintaining_kb()}
    errors: list[str] = []
    cleaned: list[dict] = []
    seen_ids: dict[str, int] = {}
    for number, raw in rows:
        problems = []
        row = {
            k: (
                str(v).strip()
                if not isinstance(v, (datetime.date, datetime.datetime))
                else v
            )
            for k, v in raw.items()
            if v is not None
        }
        if not row.get("matter"):
            problems.append("缺少事项名称")
        if not row.get("answer"):
            problems.append("缺少答复口径")
        for key, (label, limit) in LIMITS.items():
            if len(str(row.get(key, ""))) > limit:
                problems.append(f"{label}超过 {limit} 字")
        dates = {}
        for key, label in (("valid_from", "生效日期"), ("valid_until", "失效日期")):
            try:
                dates[key] = _parse_date(row.get(key))
            except ValueError:
                problems.append(
                    f"{label}“{row.get(key)}”不是有效日期（应为 2025-01-31）"
                )
                dates[key] = None
        if (
            dates["valid_from"]
            and dates["valid_until"]
            and dates["valid_until"] < dates["valid_from"]
        ):
            problems.append("失效日期早于生效日期")
        owner_name = row.get("owner", "")
        owner = (
            by_name.get(owner_name)
            or (resolve_owner(owner_name) if resolve_owner else None)
            or default_owner
        )
        if owner is None:
            problems.append(
                f"责任单位“{owner_name}”不存在或不维护知识库"
                if owner_name
                else "缺少责任单位"
            )
        elif owner.pk not in allowed:
            problems.append(f"无权导入“{owner.name}”的条目")
        external_id = row.get("external_id") or None
        if external_id:
            if external_id in seen_ids:
                problems.append(
                    f"外部编号 {external_id} 与第 {seen_ids[external_id]} 行重复"
                )
            seen_ids[external_id] = number
        if problems:
            errors.append(f"第 {number} 行：" + "；".join(problems))
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
                "valid_from": dates["valid_from"],
                "valid_until": dates["valid_until"],
                "owner": owner,
                "source": name[:300],
            }
        )
    if errors:
        raise ImportRejected(errors)
    return cleaned


@transaction.atomic
def do_import_entries(
    cleaned: list[dict],
    *,
    user,
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
    to_create, to_update = [], []
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
            changed = False
            for key in IMPORT_FIELDS:
                # Compare the owner by id: reading entry.owner costs a query.
                current = entry.owner_id if key == "owner" else getattr(entry, key)
                wanted = row[key].pk if key == "owner" else row[key]
                if current != wanted:
                    setattr(entry, key, row[key])
                    changed = True
            if changed:
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
    batch = ImportBatch.objects.create(
        file_name=file_name[:300],
        created=len(to_create),
        updated=len(to_update),
        imported_by=user if getattr(user, "pk", None) else None,
    )
    log(
        batch,
        "dangjian.kb.import",
        user=user if getattr(user, "pk", None) else None,
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
    user,
    reindex: bool = True,
    record_unchanged: bool = True,
    **options,
) -> ImportResult:
    """Imports a file; ``record_unchanged=False`` records no batch for a no-op."""
    cleaned = check_import_entries(name, data, user=user, **options)
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
    routed_unit=None,
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
