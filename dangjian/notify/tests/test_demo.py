"""The demo: member has unread notifications from a study plan, a session and
a contest; reviewer has an item waiting."""

from __future__ import annotations

import pytest
from django.test import override_settings

from dangjian.disclosure import demo as disclosure_demo
from dangjian.lib.demo import DemoContext
from dangjian.notify import demo
from dangjian.notify.models import Notification
from dangjian.orgs import demo as orgs_demo
from dangjian.portal import demo as portal_demo
from dangjian.quiz import demo as quiz_demo
from dangjian.study import demo as study_demo


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=None)
def test_the_demo_inboxes_have_something_of_each_capability():
    ctx = DemoContext(data_dir=None, write=lambda *a: None)
    for module in (orgs_demo, portal_demo, study_demo, quiz_demo, disclosure_demo):
        module.load(ctx)
    summary = demo.load(ctx)
    assert "member 未读" in summary
    member, reviewer = ctx.people["member"], ctx.people["reviewer"]
    kinds = set(
        Notification.objects.for_person(member).unread().values_list("kind", flat=True)
    )
    assert {"study.plan_deadline", "study.session_notice", "quiz.contest_open"} <= kinds
    waiting = Notification.objects.for_person(reviewer).filter(
        kind__startswith="disclosure.waiting"
    )
    assert waiting.exists()
    # Loading again adds nothing.
    before = set(Notification.objects.values_list("pk", flat=True))
    for module in (study_demo, quiz_demo, demo):
        module.load(ctx)
    added = Notification.objects.exclude(pk__in=before)
    assert not added.exists(), list(added.values_list("kind", "dispatch__event_key"))
