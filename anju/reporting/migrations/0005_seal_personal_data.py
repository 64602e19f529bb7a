"""Personal data sealed at rest: each clear column renamed `*_plain`, its sealed form (with
blind index and mask where it has them) added and filled from it, the clear column dropped."""

import django.core.validators
from django.db import migrations

import anju.sealed
from anju.sealed import seal_plain_columns


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_contact_published")]

    operations = [
        migrations.RenameField("contact", "mobile", "mobile_plain"),
        migrations.AddField(
            model_name="contact",
            name="mobile",
            field=anju.sealed.SealedField(
                validators=[
                    django.core.validators.RegexValidator(
                        "^1[3-9][0-9]{9}$", "请填写11位手机号码。"
                    )
                ],
                verbose_name="手机",
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="mobile_masked",
            field=anju.sealed.MaskField(form="phone", of="mobile"),
        ),
        seal_plain_columns("reporting", "contact", ["mobile"]),
        migrations.RemoveField(
            model_name="contact",
            name="mobile_plain",
        ),
    ]
