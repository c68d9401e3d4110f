"""Changes to study data. Views, the API, the admin, the demo and tests call these.

``do_*`` functions apply a change from trusted input; ``check_*`` functions
validate first (raising ``ValidationError`` or ``PermissionDenied`` with a
Chinese message) and then apply.

One module per concept (materials, reading, points, sessions, notes, spot
checks); every name is re-exported here, so ``from dangjian.study import
actions`` and ``from dangjian.study.actions import X`` keep working. The
assessment's computation lives in ``dangjian.study.assessment``.
"""

from __future__ import annotations

from dangjian.study.actions.materials import (
    MATERIAL_STAFF,
    can_open_material,
    do_ensure_column,
    do_ensure_section,
    do_import_materials,
    do_publish_material,
    ensure_unit_workflow,
    works_on_material,
)
from dangjian.study.actions.notes import check_write_note
from dangjian.study.actions.points import (
    CORRECTION_PREFIX,
    DEFAULT_RULES,
    MAX_CORRECTION,
    _managed_person_ids,
    can_manage_person,
    check_add_point_correction,
    check_correct_points,
    correctable_people,
    do_award_points,
    ensure_rules,
)
from dangjian.study.actions.reading import (
    BEAT_CAP_SECONDS,
    OPENING_CAP_FACTOR,
    OPENING_CAP_SECONDS,
    VIDEO_SLACK_SECONDS,
    VIDEO_SPEED_ALLOWANCE,
    _is_complete,
    check_record_beat,
    do_open_material,
    do_record_past_study,
)
from dangjian.study.actions.sessions import (
    _in_organisation,
    can_manage_session,
    check_check_in_with_code,
    check_record_attendance_by_organiser,
    check_save_minutes,
    do_create_session,
    do_record_attendance,
)
from dangjian.study.actions.spot_checks import (
    can_check,
    check_create_spot_check,
    check_record_spot_result,
    draw_sample,
    spot_check_population,
)

__all__ = [
    "BEAT_CAP_SECONDS",
    "CORRECTION_PREFIX",
    "DEFAULT_RULES",
    "MATERIAL_STAFF",
    "MAX_CORRECTION",
    "OPENING_CAP_FACTOR",
    "OPENING_CAP_SECONDS",
    "VIDEO_SLACK_SECONDS",
    "VIDEO_SPEED_ALLOWANCE",
    "_in_organisation",
    "_is_complete",
    "_managed_person_ids",
    "can_check",
    "can_manage_person",
    "can_manage_session",
    "can_open_material",
    "check_add_point_correction",
    "check_check_in_with_code",
    "check_correct_points",
    "check_create_spot_check",
    "check_record_attendance_by_organiser",
    "check_record_beat",
    "check_record_spot_result",
    "check_save_minutes",
    "check_write_note",
    "correctable_people",
    "do_award_points",
    "do_create_session",
    "do_ensure_column",
    "do_ensure_section",
    "do_import_materials",
    "do_open_material",
    "do_publish_material",
    "do_record_attendance",
    "do_record_past_study",
    "draw_sample",
    "ensure_rules",
    "ensure_unit_workflow",
    "spot_check_population",
    "works_on_material",
]
