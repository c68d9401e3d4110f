"""Study: materials (Wagtail pages), plans, reading records, the points ledger,
group sessions, notes, spot checks and the quantitative assessment.

Reading and watching are recorded by the server from the page being opened
and from heartbeats (``Reading`` per opening, ``Progress`` per person and
material); points are ledger rows (``PointEntry``) whose totals are always
derived, never stored.

One module per concept; every name is re-exported here, so
``from dangjian.study.models import X`` and the migrations' references
(``dangjian.study.models.private_storage`` …) keep working.
"""

from __future__ import annotations

from dangjian.study.models.assessment import (
    AssessmentRun,
    AssessmentScheme,
    Indicator,
    PersonScore,
    UnitScore,
)
from dangjian.study.models.materials import (
    MATERIAL_STAFF,
    MaterialAttachment,
    MaterialPage,
    MaterialQuerySet,
    StudyIndexPage,
    StudySectionPage,
    Topic,
    _index_url,
    _words,
    can_open_material,
    works_on_material,
)
from dangjian.study.models.notes import Note
from dangjian.study.models.plans import PlanItem, StudyPlan, StudyPlanQuerySet
from dangjian.study.models.points import (
    PointEntry,
    PointEntryQuerySet,
    PointRule,
    PointRuleQuerySet,
)
from dangjian.study.models.reading import (
    Progress,
    ProgressQuerySet,
    Reading,
    record_opening,
)
from dangjian.study.models.sessions import (
    Attendance,
    SessionPhoto,
    SessionQuerySet,
    StudySession,
    new_checkin_code,
)
from dangjian.study.models.spot_checks import SpotCheck, SpotCheckItem
from dangjian.study.models.videos import (
    POSTER_MAX_BYTES,
    POSTER_TYPES,
    VIDEO_TYPES,
    PrivateStorage,
    Video,
    _private_storage,
    poster_upload_to,
    private_storage,
    video_upload_to,
)

__all__ = [
    "MATERIAL_STAFF",
    "POSTER_MAX_BYTES",
    "POSTER_TYPES",
    "VIDEO_TYPES",
    "AssessmentRun",
    "AssessmentScheme",
    "Attendance",
    "Indicator",
    "MaterialAttachment",
    "MaterialPage",
    "MaterialQuerySet",
    "Note",
    "PersonScore",
    "PlanItem",
    "PointEntry",
    "PointEntryQuerySet",
    "PointRule",
    "PointRuleQuerySet",
    "PrivateStorage",
    "Progress",
    "ProgressQuerySet",
    "Reading",
    "SessionPhoto",
    "SessionQuerySet",
    "SpotCheck",
    "SpotCheckItem",
    "StudyIndexPage",
    "StudyPlan",
    "StudyPlanQuerySet",
    "StudySectionPage",
    "StudySession",
    "Topic",
    "UnitScore",
    "Video",
    "_index_url",
    "_private_storage",
    "_words",
    "can_open_material",
    "new_checkin_code",
    "poster_upload_to",
    "private_storage",
    "record_opening",
    "video_upload_to",
    "works_on_material",
]
