"""Hand-written SQL for the statements every attempt request runs.

Starting, saving and submitting an attempt each read or write one
``quiz_attempt`` row. Building those statements through the ORM costs about
a millisecond of CPU each on the 2-core server (compiling the query, not
running it), more than the database needs to answer them, so the few
statements on that path are written out here once. Values are converted
with the same backend converters and adapters the ORM uses, so rows read
here equal rows read through ``Attempt.objects``. Everything else in the
app uses the ORM.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, cast

from django.db import connections, router
from django.db.models import Field

from dangjian.quiz.models import Attempt

TABLE = Attempt._meta.db_table
_RESPONSES_INDEX = [f.attname for f in Attempt._meta.concrete_fields].index("responses")


def _alias(write: bool = False) -> str:
    return router.db_for_write(Attempt) if write else router.db_for_read(Attempt)


@cache
def _readers(alias: str, vendor: str) -> tuple[str, list]:
    """The column list of ``quiz_attempt`` and each column's converters."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = Attempt._meta.concrete_fields
    columns = ", ".join(quote(f.column) for f in fields)
    converters = []
    for f in fields:
        col = f.get_col(Attempt._meta.db_table)
        found = connection.ops.get_db_converters(col) + f.get_db_converters(  # type: ignore[attr-defined]  # missing from django-stubs
            connection
        )
        converters.append((f.attname, col, found))
    return columns, converters


def _to_attempt(alias: str, row) -> Attempt:
    connection = connections[alias]
    _columns, converters = _readers(alias, connection.vendor)
    names, values = [], []
    for (attname, col, found), value in zip(converters, row, strict=True):
        for convert in found:
            value = convert(value, col, connection)
        names.append(attname)
        values.append(value)
    return Attempt.from_db(alias, names, values)


def load_attempt(pk: int, person_id: int, *, lock: bool = False) -> Attempt:
    """The person's attempt ``pk`` (all columns); with ``lock``, locked for update.

    Raises ``Attempt.DoesNotExist`` for someone else's attempt as for a
    missing one. Locking must happen inside a transaction.
    """
    alias = _alias(write=lock)
    connection = connections[alias]
    columns, _converters = _readers(alias, connection.vendor)
    sql = f"SELECT {columns} FROM {TABLE} WHERE id = %s AND person_id = %s"
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, person_id])
        row = cursor.fetchone()
    if row is None:
        raise Attempt.DoesNotExist("答题记录不存在")
    attempt = _to_attempt(alias, row)
    # The stored answers as the database returned them, for finish_attempt.
    attempt._quiz_stored_responses = row[_RESPONSES_INDEX]
    return attempt


RECENT_FIELDS = ("id", "status", "contest_id", "deadline")


@cache
def _recent_sql(alias: str, vendor: str) -> tuple[str, list]:
    """The recent-attempts statement and the converters of its first columns.

    On PostgreSQL only the question ids of each paper are read (extracted
    by the database): decoding whole papers cost a third of the read. SQLite
    extracts them more slowly than Python does, so it returns the paper. The
    deadline matters only for an open attempt (to resume it), so finished
    ones return NULL instead of a timestamp to convert.
    """
    connection = connections[alias]
    _columns, converters = _readers(alias, vendor)
    by_name = {attname: (col, found) for attname, col, found in converters}
    if vendor == "postgresql":
        question_ids = "jsonb_path_query_array(paper, '$[*].q')"
    else:
        question_ids = "paper"
    # The ids are extracted outside the ordered, limited read, so only the
    # few rows returned pay for it, whatever plan the database picks.
    quote = connection.ops.quote_name
    sql = (
        f"SELECT id, status, contest_id,"
        f" CASE WHEN status = %s THEN deadline END, {question_ids}"
        f" FROM (SELECT id, status, contest_id, deadline, paper, started_at"
        f" FROM {quote(TABLE)} WHERE person_id = %s AND template_id = %s"
        " ORDER BY started_at DESC LIMIT %s) AS recent"
        " ORDER BY started_at DESC"
    )
    return sql, [by_name[name] for name in RECENT_FIELDS]


def recent_rows(person_id: int, template_id: int, count: int) -> list[tuple]:
    """(id, status, contest_id, deadline if open, question ids) of the
    person's last attempts.

    One lookup on the ``quiz_attempt_recent`` index (person, template,
    started_at desc).
    """
    alias = _alias()
    connection = connections[alias]
    sql, converters = _recent_sql(alias, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [Attempt.Status.IN_PROGRESS, person_id, template_id, count])
        rows = cursor.fetchall()
    out = []
    for row in rows:
        converted = []
        for (col, found), value in zip(converters, row[:-1], strict=True):
            if value is not None:
                for convert in found:
                    value = convert(value, col, connection)
            converted.append(value)
        ids = row[-1]
        if isinstance(ids, (str, bytes)):
            ids = json.loads(ids)
        if connection.vendor != "postgresql":
            ids = [item["q"] for item in ids]
        converted.append(ids)
        out.append(tuple(converted))
    return out


def merge_responses(
    pk: int, person_id: int, cleaned: dict, *, open_until
) -> dict | None:
    """Adds ``cleaned`` answers to an open attempt in one statement.

    The merge happens in the database (``||`` on PostgreSQL, ``json_patch``
    on SQLite), so two saves racing on one attempt both keep their answers
    without a row lock and a transaction. ``open_until``: the attempt's
    deadline must not be before it (the caller passes now minus the grace).
    Returns the merged responses, or None when the attempt is finished,
    past its deadline or not the person's.
    """
    alias = _alias(write=True)
    connection = connections[alias]
    merge = (
        "responses || %s::jsonb"
        if connection.vendor == "postgresql"
        else "json_patch(responses, %s)"
    )
    sql = (
        f"UPDATE {TABLE} SET responses = {merge}"
        " WHERE id = %s AND person_id = %s AND status = %s"
        " AND (deadline IS NULL OR deadline >= %s)"
        " RETURNING responses"
    )
    params: list[Any] = [
        json.dumps(cleaned),
        pk,
        person_id,
        Attempt.Status.IN_PROGRESS,
        connection.ops.adapt_datetimefield_value(open_until),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    value = row[0]
    return json.loads(value) if isinstance(value, (str, bytes)) else value


RESULT_FIELDS = (
    "results",
    "score",
    "correct_count",
    "streak",
    "status",
    "submitted_at",
    "duration_seconds",
)


def finish_attempt(attempt: Attempt) -> bool:
    """Writes the grading columns of an attempt read by ``load_attempt``.

    Only if the attempt is still open and its answers are still those that
    were read (and graded): returns False when it was submitted meanwhile or
    a save landed in between, and then nothing is written.
    """
    alias = _alias(write=True)
    connection = connections[alias]
    quote = connection.ops.quote_name
    assignments, params = [], []
    for name in RESULT_FIELDS:
        # RESULT_FIELDS are concrete columns of the attempt.
        field = cast(Field, Attempt._meta.get_field(name))
        assignments.append(f"{quote(field.column)} = %s")
        params.append(
            field.get_db_prep_save(getattr(attempt, field.attname), connection)
        )
    same = (
        "responses = %s::jsonb"
        if connection.vendor == "postgresql"
        else "responses = %s"
    )
    sql = (
        f"UPDATE {TABLE} SET {', '.join(assignments)}"
        f" WHERE id = %s AND status = %s AND {same}"
    )
    params += [
        attempt.pk,
        Attempt.Status.IN_PROGRESS,
        attempt._quiz_stored_responses,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


@cache
def _insert_sql(alias: str, vendor: str) -> tuple[str, list]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = [f for f in Attempt._meta.concrete_fields if not f.primary_key]
    sql = (
        f"INSERT INTO {TABLE} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id"
    )
    return sql, fields


def insert_attempt(attempt: Attempt) -> Attempt:
    """Inserts a new attempt row (what ``save(force_insert=True)`` does)."""
    alias = _alias(write=True)
    connection = connections[alias]
    sql, fields = _insert_sql(alias, connection.vendor)
    params = [f.get_db_prep_save(f.pre_save(attempt, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        attempt.pk = cursor.fetchone()[0]
    attempt._state.adding = False
    attempt._state.db = alias
    return attempt
