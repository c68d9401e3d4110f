import pytest
from django.utils import timezone

from dangjian.lib.demo import DemoContext, find_data_dir
from dangjian.orgs import demo as orgs_demo
from dangjian.outreach import demo
from dangjian.outreach.models import Event, GridWorker, LectureTeam, Rating, Visit


@pytest.mark.django_db
def test_the_demo_has_a_district_team_with_past_and_upcoming_events_and_grid_work():
    ctx = DemoContext(data_dir=find_data_dir(), write=lambda *_: None)
    orgs_demo.load(ctx)
    demo.load(ctx)
    team = LectureTeam.objects.get()
    if ctx.has_real_data:
        assert team.name == "海南区理论宣讲团"
    now = timezone.now()
    assert Event.objects.past(now).count() == 6
    assert Event.objects.upcoming(now).count() == 4
    assert Rating.objects.exists()
    assert GridWorker.objects.values("grid__community").distinct().count() == 6
    assert Visit.objects.count() > 30
    counts = (Event.objects.count(), Visit.objects.count())

    demo.load(ctx)
    assert (Event.objects.count(), Visit.objects.count()) == counts
