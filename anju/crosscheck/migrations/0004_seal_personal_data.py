"""Personal data sealed at rest: each clear column renamed `*_plain`, its sealed form (with
blind index and mask where it has them) added and filled from it, the clear column dropped."""

from django.db import migrations, models

import anju.sealed
from anju.sealed import seal_plain_columns


class Migration(migrations.Migration):
    dependencies = [("crosscheck", "0003_rules_seconds")]

    operations = [
        migrations.RemoveIndex("referencerecord", "refrecord_id_idx"),
        migrations.RemoveIndex("referencerecord", "refrecord_head_id_idx"),
        migrations.RenameField("referencerecord", "id_number", "id_number_plain"),
        migrations.RenameField("referencerecord", "head_id", "head_id_plain"),
        migrations.RenameField("referencerecord", "detail", "detail_plain"),
        migrations.RenameField("referencerecord", "account_number", "account_number_plain"),
        migrations.RenameField("finding", "fingerprint", "fingerprint_plain"),
        migrations.RenameField("finding", "id_number", "id_number_plain"),
        migrations.AddField(
            model_name="finding",
            name="fingerprint",
            field=anju.sealed.SealedField(kind="fingerprint"),
        ),
        migrations.AddField(
            model_name="finding",
            name="fingerprint_digest",
            field=anju.sealed.DigestField(kind="fingerprint", of="fingerprint"),
        ),
        migrations.AddField(
            model_name="finding",
            name="id_number",
            field=anju.sealed.SealedField(kind="id", verbose_name="身份证号"),
        ),
        migrations.AddField(
            model_name="finding",
            name="id_number_digest",
            field=anju.sealed.DigestField(kind="id", of="id_number"),
        ),
        migrations.AddField(
            model_name="finding",
            name="id_number_masked",
            field=anju.sealed.MaskField(form="id", of="id_number"),
        ),
        migrations.AddField(
            model_name="referencerecord",
            name="account_number",
            field=anju.sealed.SealedField(verbose_name="账号"),
        ),
        migrations.AddField(
            model_name="referencerecord",
            name="detail",
            field=anju.sealed.SealedField(verbose_name="类别/等级/项目"),
        ),
        migrations.AddField(
            model_name="referencerecord",
            name="head_id",
            field=anju.sealed.SealedField(kind="id", verbose_name="户主身份证号"),
        ),
        migrations.AddField(
            model_name="referencerecord",
            name="head_id_digest",
            field=anju.sealed.DigestField(kind="id", of="head_id"),
        ),
        migrations.AddField(
            model_name="referencerecord",
            name="id_number",
            field=anju.sealed.SealedField(kind="id", verbose_name="身份证号"),
        ),
        migrations.AddField(
            model_name="referencerecord",
            name="id_number_digest",
            field=anju.sealed.DigestField(kind="id", of="id_number"),
        ),
        migrations.AddField(
            model_name="referencerecord",
            name="id_number_masked",
            field=anju.sealed.MaskField(form="id", of="id_number"),
        ),
        seal_plain_columns(
            "crosscheck", "referencerecord", ["id_number", "head_id", "detail", "account_number"]
        ),
        seal_plain_columns("crosscheck", "finding", ["fingerprint", "id_number"]),
        migrations.RemoveField(
            model_name="finding",
            name="fingerprint_plain",
        ),
        migrations.RemoveField(
            model_name="finding",
            name="id_number_plain",
        ),
        migrations.RemoveField(
            model_name="referencerecord",
            name="account_number_plain",
        ),
        migrations.RemoveField(
            model_name="referencerecord",
            name="detail_plain",
        ),
        migrations.RemoveField(
            model_name="referencerecord",
            name="head_id_plain",
        ),
        migrations.RemoveField(
            model_name="referencerecord",
            name="id_number_plain",
        ),
        migrations.AlterField(
            model_name="finding",
            name="fingerprint_digest",
            field=anju.sealed.DigestField(kind="fingerprint", of="fingerprint", unique=True),
        ),
        migrations.AddIndex(
            model_name="referencerecord",
            index=models.Index(fields=["id_number_digest", "reference"], name="refrecord_id_idx"),
        ),
        migrations.AddIndex(
            model_name="referencerecord",
            index=models.Index(
                fields=["head_id_digest", "reference"], name="refrecord_head_id_idx"
            ),
        ),
    ]
