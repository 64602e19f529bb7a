import secrets

from django.db import migrations, models

import anju.households.models


def give_tokens(apps, schema_editor):
    plate = apps.get_model("households", "SafetyPlate")
    for pk in plate.objects.filter(public_token__isnull=True).values_list("pk", flat=True):
        plate.objects.filter(pk=pk).update(public_token=secrets.token_urlsafe(16))


class Migration(migrations.Migration):
    dependencies = [("households", "0008_import_in_background")]

    operations = [
        migrations.AddField(
            model_name="safetyplate",
            name="public_token",
            field=models.CharField(max_length=32, null=True),
        ),
        migrations.RunPython(give_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="safetyplate",
            name="public_token",
            field=models.CharField(
                default=anju.households.models.plate_token, max_length=32, unique=True
            ),
        ),
    ]
