"""What the registry hands to others through hooks (dangjian/README.md)."""

from __future__ import annotations

from typing import Any

from dangjian.members.models import MemberProfile


def me_profile(person) -> dict[str, Any] | None:
    """The member's own record for ``GET /api/me`` (``dangjian_me_profile``):
    the ID number masked, never whole."""
    profile = (
        MemberProfile.objects.select_related("branch").filter(person=person).first()
    )
    if profile is None:
        return None
    return {
        "member_profile": {
            "name": profile.name,
            "sex": profile.sex,
            "ethnicity": profile.ethnicity,
            "birth_date": profile.birth_date.isoformat(),
            "id_number": profile.id_masked,
            "mobile": profile.mobile,
            "education": profile.education,
            "joined_on": profile.joined_on.isoformat(),
            "full_member_on": (
                profile.full_member_on.isoformat() if profile.full_member_on else None
            ),
            "category": profile.category,
            "position": profile.position,
            "branch_id": profile.branch_id,
            "branch": profile.branch.name,
            "status": profile.status,
        }
    }
