"""Personal data sealed at rest: each clear column renamed `*_plain`, its sealed form (with
blind index and mask where it has them) added and filled from it, the clear column dropped."""

from django.db import migrations

import anju.sealed
from anju.sealed import seal_plain_columns


class Migration(migrations.Migration):
    dependencies = [("households", "0009_plate_public_token")]

    operations = [
        migrations.RenameField("household", "head_id", "head_id_plain"),
        migrations.RenameField("household", "account_number", "account_number_plain"),
        migrations.RenameField("person", "id_number", "id_number_plain"),
        migrations.RenameField("payment", "account_number", "account_number_plain"),
        migrations.RenameField("changerequest", "old_value", "old_value_plain"),
        migrations.RenameField("changerequest", "new_value", "new_value_plain"),
        migrations.AddField(
            model_name="changerequest",
            name="new_value",
            field=anju.sealed.SealedField(verbose_name="新值"),
        ),
        migrations.AddField(
            model_name="changerequest",
            name="old_value",
            field=anju.sealed.SealedField(verbose_name="原值"),
        ),
        migrations.AddField(
            model_name="household",
            name="account_number",
            field=anju.sealed.SealedField(kind="account", verbose_name="一卡通账号"),
        ),
        migrations.AddField(
            model_name="household",
            name="account_number_digest",
            field=anju.sealed.DigestField(kind="account", of="account_number"),
        ),
        migrations.AddField(
            model_name="household",
            name="account_number_masked",
            field=anju.sealed.MaskField(form="account", of="account_number"),
        ),
        migrations.AddField(
            model_name="household",
            name="head_id",
            field=anju.sealed.SealedField(kind="id", verbose_name="户主身份证号"),
        ),
        migrations.AddField(
            model_name="household",
            name="head_id_digest",
            field=anju.sealed.DigestField(kind="id", of="head_id"),
        ),
        migrations.AddField(
            model_name="household",
            name="head_id_masked",
            field=anju.sealed.MaskField(form="id", of="head_id"),
        ),
        migrations.AddField(
            model_name="payment",
            name="account_number",
            field=anju.sealed.SealedField(kind="account", verbose_name="账号"),
        ),
        migrations.AddField(
            model_name="payment",
            name="account_number_digest",
            field=anju.sealed.DigestField(kind="account", of="account_number"),
        ),
        migrations.AddField(
            model_name="payment",
            name="account_number_masked",
            field=anju.sealed.MaskField(form="account", of="account_number"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number",
            field=anju.sealed.SealedField(kind="id", verbose_name="身份证号"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_digest",
            field=anju.sealed.DigestField(kind="id", of="id_number"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_masked",
            field=anju.sealed.MaskField(form="id", of="id_number"),
        ),
        seal_plain_columns("households", "household", ["head_id", "account_number"]),
        seal_plain_columns("households", "person", ["id_number"]),
        seal_plain_columns("households", "payment", ["account_number"]),
        seal_plain_columns("households", "changerequest", ["old_value", "new_value"]),
        migrations.RemoveField(
            model_name="changerequest",
            name="new_value_plain",
        ),
        migrations.RemoveField(
            model_name="changerequest",
            name="old_value_plain",
        ),
        migrations.RemoveField(
            model_name="household",
            name="account_number_plain",
        ),
        migrations.RemoveField(
            model_name="household",
            name="head_id_plain",
        ),
        migrations.RemoveField(
            model_name="payment",
            name="account_number_plain",
        ),
        migrations.RemoveField(
            model_name="person",
            name="id_number_plain",
        ),
        migrations.AlterField(
            model_name="household",
            name="head_id_digest",
            field=anju.sealed.DigestField(kind="id", of="head_id", unique=True),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number_digest",
            field=anju.sealed.DigestField(db_index=True, kind="id", of="id_number"),
        ),
    ]
