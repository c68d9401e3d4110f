"""The demo: items in both scopes and every state, loaded idempotently."""

from __future__ import annotations

import pytest

from dangjian.disclosure import demo
from dangjian.disclosure.models import DisclosureItemPage, ScanFlag
from dangjian.lib.demo import DemoContext
from dangjian.orgs import demo as orgs_demo
from dangjian.portal import demo as portal_demo


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_has_every_state_and_member_sees_what_outsider_does_not():
    ctx = DemoContext(data_dir=None, write=lambda *a: None)
    orgs_demo.load(ctx)
    portal_demo.load(ctx)
    summary = demo.load(ctx)
    assert "公开事项" in summary
    items = DisclosureItemPage.objects
    count = items.count()
    assert count >= 25
    assert items.released().filter(scope="public").count() >= 8
    assert items.released().filter(scope="internal").count() >= 5
    assert items.filter(live=False, withdrawn_at__isnull=False).exists()  # withdrawn
    states = {
        p.slug: (p.current_workflow_state.status if p.current_workflow_state else None)
        for p in items.filter(live=False, withdrawn_at__isnull=True)
    }
    assert "in_progress" in states.values()
    assert "needs_changes" in states.values()
    assert any(p.scheduled_revision for p in items.filter(live=False))  # scheduled
    assert ScanFlag.objects.filter(rule="id_number").exists()

    member, outsider = ctx.people["member"], ctx.people["outsider"]
    mine = set(
        items.visible_to(member).filter(scope="internal").values_list("slug", flat=True)
    )
    theirs = set(
        items.visible_to(outsider)
        .filter(scope="internal")
        .values_list("slug", flat=True)
    )
    assert {"d02", "d03"} <= mine
    assert not mine & theirs
    assert theirs

    demo.load(ctx)
    assert items.count() == count
