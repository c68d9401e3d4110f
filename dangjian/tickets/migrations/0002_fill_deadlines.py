"""The default deadlines: sign within 1 working day; answer a 咨询 within 1,
a 投诉/求助 within 5 and a 建言 within 10 working days (editable)."""

from django.db import migrations

DEFAULTS = {"咨询": (1, 1), "投诉/求助": (1, 5), "建言": (1, 10)}


def fill(apps, schema_editor):
    Deadline = apps.get_model("tickets", "Deadline")
    for message_type, (sign, reply) in DEFAULTS.items():
        Deadline.objects.get_or_create(
            message_type=message_type,
            defaults={"sign_days": sign, "reply_days": reply},
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
