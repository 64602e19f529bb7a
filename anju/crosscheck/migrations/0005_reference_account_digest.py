"""The payments list's account gets a blind index (kind "account", like the household's): the
payment rules compare the account the finance bureau paid into with the household's one-card
account without opening either. Existing rows are filled from their sealed account."""

from django.db import migrations

import anju.sealed
from anju.crypto import blind


def fill_digests(apps, schema_editor):
    record = apps.get_model("crosscheck", "ReferenceRecord")
    rows = (
        record._base_manager.filter(account_number__isnull=False)
        .order_by("pk")
        .values_list("pk", "account_number")
    )
    batch = []
    for pk, account in rows.iterator(chunk_size=5000):
        if account:
            batch.append(record(pk=pk, account_number_digest=blind(account, "account")))
        if len(batch) >= 5000:
            record._base_manager.bulk_update(batch, ["account_number_digest"])
            batch = []
    if batch:
        record._base_manager.bulk_update(batch, ["account_number_digest"])


class Migration(migrations.Migration):
    dependencies = [("crosscheck", "0004_seal_personal_data")]

    operations = [
        migrations.AlterField(
            model_name="referencerecord",
            name="account_number",
            field=anju.sealed.SealedField(kind="account", verbose_name="账号"),
        ),
        migrations.AddField(
            model_name="referencerecord",
            name="account_number_digest",
            field=anju.sealed.DigestField(kind="account", of="account_number"),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
    ]
