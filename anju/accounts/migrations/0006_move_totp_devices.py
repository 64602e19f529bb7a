"""Move django-otp's TOTP devices (secret in clear, `otp_totp_totpdevice.key`) into
SealedTOTPDevice (secret sealed), then drop the old table.

The plugin is no longer installed, so the old table is read with plain SQL, if it is there (a
database made before this version); a new database never had it. Each device keeps everything
that matters for verification (secret, step, t0, digits, tolerance, drift, last_t: a code used
before the upgrade stays used) and its throttle. The old rows are deleted and the table dropped
in the same transaction, and django-otp's migration records of the plugin removed, so that
the database says what is true: the plugin was never there. Sessions verified with an old device
name it as `otp_totp.totpdevice/<id>`, which no longer exists: those users give a code again.
"""

from datetime import UTC, datetime

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder

OLD_TABLE = "otp_totp_totpdevice"
COLUMNS = [
    "user_id",
    "name",
    "confirmed",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
]


def move_devices(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return
        present = {
            c.name for c in connection.introspection.get_table_description(cursor, OLD_TABLE)
        }
        names = [c for c in COLUMNS if c in present]  # older plugin versions lack some
        qn = connection.ops.quote_name
        cursor.execute(
            f"SELECT {', '.join(qn(c) for c in names)} FROM {qn(OLD_TABLE)}"  # noqa: S608
            f" ORDER BY {qn('id')}"
        )
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    Device = apps.get_model("accounts", "SealedTOTPDevice")
    for row in rows:
        for name, value in row.items():  # SQLite hands back naive UTC
            if isinstance(value, datetime) and value.tzinfo is None:
                row[name] = value.replace(tzinfo=UTC)
        created = row.pop("created_at", None)
        # The key is sealed by SealedField on the way in (the historical model has the type).
        device = Device.objects.create(**row)
        Device.objects.filter(pk=device.pk).update(created_at=created)  # not auto_now_add's
    # The clear secrets go with their table (deleted in this transaction).
    schema_editor.execute(
        schema_editor.sql_delete_table % {"table": connection.ops.quote_name(OLD_TABLE)}
    )
    MigrationRecorder(connection).migration_qs.filter(app="otp_totp").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_sealed_totp_device"),
    ]

    operations = [
        # No way back: the clear secrets are not written again.
        migrations.RunPython(move_devices, migrations.RunPython.noop),
    ]
