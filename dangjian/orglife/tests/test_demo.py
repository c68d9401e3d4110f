import pytest
from django.utils import timezone

from dangjian.lib.demo import DemoContext, find_data_dir
from dangjian.orglife import compliance, demo, dues
from dangjian.orglife.models import (
    DuesDeclaration,
    EvaluationCampaign,
    Meeting,
    Recruit,
    Stage,
)
from dangjian.orglife.recruitment import deadlines
from dangjian.orgs import demo as orgs_demo
from dangjian.orgs.models import Organisation


@pytest.mark.django_db
def test_the_demo_has_every_compliance_state_arrears_recruits_and_a_review():
    ctx = DemoContext(data_dir=find_data_dir(), write=lambda *_: None)
    orgs_demo.load(ctx)
    demo.load(ctx)
    today = timezone.localdate()
    branches = Organisation.objects.filter(orglife_meetings__isnull=False).distinct()
    rows = compliance.compute(branches, today.year, today)
    states = {c.state for r in rows for c in r.cells}
    assert {"on_time", "missing", "due"} <= states
    if today.month > 1:
        assert "late" in states
    assert dues.arrears(DuesDeclaration.objects.all(), today)
    assert {r.stage for r in Recruit.objects.all()} == set(Stage.values)
    assert any(d.overdue for d in deadlines(Recruit.objects.all(), today))
    assert EvaluationCampaign.objects.get().status == "finished"
    counts = (Meeting.objects.count(), Recruit.objects.count())

    demo.load(ctx)
    assert (Meeting.objects.count(), Recruit.objects.count()) == counts
