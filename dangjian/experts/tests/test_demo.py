import pytest

from dangjian.experts import demo
from dangjian.experts.models import Escalation, Expert, PolicyDomain, Question
from dangjian.lib.demo import DemoContext
from dangjian.orgs import demo as orgs_demo


@pytest.mark.django_db
def test_the_builtin_demo_loads_every_state_and_is_idempotent():
    ctx = DemoContext(data_dir=None, write=lambda *_: None)
    orgs_demo.load(ctx)
    demo.load(ctx)
    counts = (
        PolicyDomain.objects.count(),
        Expert.objects.count(),
        Question.objects.count(),
        Escalation.objects.count(),
    )
    assert Expert.objects.count() == 12
    assert Expert.objects.filter(person__username="expert").exists()
    statuses = set(Question.objects.values_list("status", flat=True))
    assert statuses == {Question.Status.ASSIGNED, Question.Status.ANSWERED}
    assert Question.objects.filter(rating__isnull=False).exists()
    assert Question.objects.filter(expert__isnull=True).count() == 0

    demo.load(ctx)
    assert (
        PolicyDomain.objects.count(),
        Expert.objects.count(),
        Question.objects.count(),
        Escalation.objects.count(),
    ) == counts
