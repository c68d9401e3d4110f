"""load_demo builds the demo city, and running it again changes nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from dangjian.lib.demo import find_data_dir
from dangjian.orgs.models import Membership, Organisation, Role

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Row counts of every table plus the fields the loader writes."""
    counts: dict[str, object] = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }
    counts["passwords"] = sorted(
        apps.get_model("orgs.Person").objects.values_list("username", "password")
    )
    return counts


def run(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_builtin_demo_has_the_fixed_logins_and_is_idempotent():
    # One test loads the demo city once for both checks: a load is about
    # 20 s on SQLite and 45 s on PostgreSQL, most of this module's time.
    first_output = run("--builtin")
    first = snapshot()
    Person = apps.get_model("orgs.Person")
    for username in [
        "admin",
        "editor",
        "reviewer",
        "approver",
        "member",
        "outsider",
        "kbeditor",
    ]:
        person = Person.objects.get(username=username)
        assert person.check_password("dangjian-demo"), username
    assert Person.objects.get(username="admin").is_superuser
    assert Membership.objects.filter(
        person__username="editor", organisation__name="市委宣传部", role=Role.EDITOR
    ).exists()
    assert Membership.objects.filter(
        person__username="kbeditor",
        organisation__name="市住房公积金管理中心",
        role=Role.EDITOR,
    ).exists()
    member_branch = Membership.objects.get(person__username="member").organisation
    outsider_branch = Membership.objects.get(person__username="outsider").organisation
    assert member_branch.get_parent().name == "市委宣传部"
    assert outsider_branch.get_parent().name == "市公安局"
    run("--builtin")
    assert snapshot() == first
    assert "未找到真实数据集" in first_output
    assert "dangjian-demo" in first_output


@pytest.mark.skipif(
    find_data_dir() is None, reason="real data sets (../shared/data) not present"
)
def test_real_city_loads_all_units_and_is_idempotent():
    run()
    first = snapshot()
    units = Organisation.objects.units()
    assert units.count() == 81
    assert units.filter(maintains_kb=True).count() == 72
    assert Organisation.objects.branches().count() >= 81 * 2
    assert (
        Membership.objects.filter(role=Role.MEMBER).values("person").distinct().count()
        >= 300
    )
    run()
    assert snapshot() == first
