"""Seeds the 三会一课 rules and the dues bands of the CPC dues regulation
(《关于中国共产党党费收缴、使用和管理的规定》, 2008). Both stay editable in
the admin; the reverse removes only the seeded rows."""

from decimal import Decimal as D

from django.db import migrations

MEETING_RULES = [
    ("assembly", "quarter"),  # 支部党员大会：每季度至少一次
    ("committee", "month"),  # 支部委员会：每月至少一次
    ("group", "month"),  # 党小组会：每月至少一次
    ("lecture", "quarter"),  # 党课：每季度至少一次
    ("theme_day", "month"),  # 主题党日：每月一次
]

# (kind, above, up_to, rate, fixed_min, fixed_max); a base in (above, up_to].
DUES_BANDS = [
    ("employed", None, D("3000"), D("0.005"), None, None),
    ("employed", D("3000"), D("5000"), D("0.01"), None, None),
    ("employed", D("5000"), D("10000"), D("0.015"), None, None),
    ("employed", D("10000"), None, D("0.02"), None, None),
    ("retired", None, D("5000"), D("0.005"), None, None),
    ("retired", D("5000"), None, D("0.01"), None, None),
    ("farmer", None, None, None, D("0.20"), D("1.00")),
    ("student", None, None, None, D("0.20"), D("0.20")),
    ("unemployed", None, None, None, D("0.20"), D("0.20")),
    ("subsistence", None, None, None, D("0.20"), D("0.20")),
]


def seed(apps, schema_editor):
    MeetingRule = apps.get_model("orglife", "MeetingRule")
    DuesRule = apps.get_model("orglife", "DuesRule")
    for kind, period in MEETING_RULES:
        MeetingRule.objects.get_or_create(
            kind=kind, defaults={"period": period, "min_count": 1}
        )
    if not DuesRule.objects.exists():
        for kind, above, up_to, rate, low, high in DUES_BANDS:
            DuesRule.objects.create(
                kind=kind,
                above=above,
                up_to=up_to,
                rate=rate,
                fixed_min=low,
                fixed_max=high,
            )


def unseed(apps, schema_editor):
    apps.get_model("orglife", "MeetingRule").objects.filter(
        kind__in=[k for k, _p in MEETING_RULES]
    ).delete()
    apps.get_model("orglife", "DuesRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
