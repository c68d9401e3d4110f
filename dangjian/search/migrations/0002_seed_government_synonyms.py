"""Seeds the synonym table with words citizens and officials use for the same thing.

Only specific terms (an abbreviation and its full name, a colloquial and an
official name of one service). Everyday words (材料/资料, 企业/公司) were
measured to add more noise than matches and are left to admins to add.
"""

from django.db import migrations

GROUPS = [
    ("暖气/供暖/采暖/供热/取暖", "冬季供热"),
    ("社保/社会保险", ""),
    ("公积金/住房公积金", ""),
    ("医保/医疗保险/基本医疗保险", ""),
    ("养老保险/养老金/退休金", ""),
    ("失业保险/失业金/失业保险金", ""),
    ("身份证/居民身份证", ""),
    ("户口/户籍", ""),
    ("驾照/驾驶证/驾驶执照", ""),
    ("个税/个人所得税", ""),
    ("营业执照/执照", ""),
    ("低保/最低生活保障", ""),
    ("公租房/公共租赁住房", ""),
    ("房产证/不动产权证/不动产权证书/房本", ""),
    ("欠薪/拖欠工资", ""),
    ("出生证/出生证明/出生医学证明", ""),
    ("准生证/生育服务证/生育登记", ""),
    ("非京籍/外地户籍/非本市户籍", ""),
    ("违建/违章建筑/违法建设", ""),
    ("公交卡/一卡通/交通卡", ""),
    ("网约车/专车/快车", ""),
    ("出租车/的士/出租汽车", ""),
    ("健康码/健康宝", ""),
    ("核酸/核酸检测", ""),
    ("新冠/新冠肺炎/新型冠状病毒肺炎", ""),
    ("小微企业/中小微企业/小型微型企业", ""),
    ("党组织关系/组织关系", ""),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    existing = set(Synonym.objects.values_list("terms", flat=True))
    Synonym.objects.bulk_create(
        Synonym(terms=terms, note=note)
        for terms, note in GROUPS
        if terms not in existing
    )


def unseed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    Synonym.objects.filter(terms__in=[t for t, _ in GROUPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
