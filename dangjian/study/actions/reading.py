"""Reading and watching: heartbeats credit time and video progress, measured
by the server, and completing a material earns its points."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.study.actions.points import do_award_points
from dangjian.study.models import MaterialPage, PointRule, Progress, Reading
from dangjian.study.models.reading import record_opening

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


def do_open_material(material: MaterialPage, person) -> Reading:
    """Records that the person opened the material (from the page being served)."""
    return record_opening(material, person)


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
        raise PermissionDenied(_("这不是您的学习记录"))
    if position is not None:
        try:
            position = float(position)
        except (TypeError, ValueError):
            raise ValidationError(_("视频进度必须是秒数")) from None
        if not (0 <= position < 24 * 3600):
            raise ValidationError(_("视频进度超出范围"))
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

        progress, _created = Progress.objects.locked(person, material, now)
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
    if material.kind == MaterialPage.Kind.VIDEO and material.video is not None:
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
