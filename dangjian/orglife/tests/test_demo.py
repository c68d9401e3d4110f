import pytest
from django.utils import timezone

from dangjian.disclosure import demo as disclosure_demo
from dangjian.disclosure.models import DisclosureItemPage
from dangjian.lib.demo import DemoContext, find_data_dir
from dangjian.lib.storage import is_private_name
from dangjian.orglife import compliance, demo, dues, publish
from dangjian.orglife.models import (
    DuesDeclaration,
    EvaluationCampaign,
    Meeting,
    Recruit,
    RecruitDocument,
    Stage,
)
from dangjian.orglife.recruitment import deadlines
from dangjian.orgs import demo as orgs_demo
from dangjian.orgs.models import Organisation
from dangjian.portal import demo as portal_demo


@pytest.mark.django_db
def test_the_demo_has_every_compliance_state_arrears_recruits_and_a_review():
    ctx = DemoContext(data_dir=find_data_dir(), write=lambda *_: None)
    orgs_demo.load(ctx)
    # As load_demo runs them: the disclosure column comes before orglife.
    portal_demo.load(ctx)
    disclosure_demo.load(ctx)
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
    _published_through_the_column(today)
    counts = (Meeting.objects.count(), Recruit.objects.count())

    demo.load(ctx)
    assert (Meeting.objects.count(), Recruit.objects.count()) == counts


def _published_through_the_column(today):
    branch = Organisation.objects.get(name=demo.SECRETARY_BRANCH)
    # The dues summary is in review, not published.
    status = publish.dues_summary_status(branch, today.year)
    assert status is not None and status.status == "in_review"
    # 王发展's 公示 is published, and admission still waits for its period.
    candidate = Recruit.objects.get(name="王发展")
    notice = publish.notice_status(candidate)
    assert notice is not None and notice.is_published
    with pytest.raises(Exception, match="期满后"):
        publish.check_notice(candidate, today)
    # Every admitted recruit's 公示 is a published item of the column.
    for recruit in Recruit.objects.exclude(admitted_on=None):
        found = publish.notice_status(recruit)
        assert found is not None and found.is_published
        assert DisclosureItemPage.objects.get(pk=found.id).live
    document = RecruitDocument.objects.get()
    assert document.step.recruit == candidate
    assert is_private_name(document.file.name)
