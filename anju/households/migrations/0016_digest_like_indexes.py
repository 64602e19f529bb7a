"""PostgreSQL: drop the `varchar_pattern_ops` twins of the blind-index indexes.

Django gives every indexed or unique CharField on PostgreSQL a second index for LIKE 'x%'
outside the C locale (the `_like` index). A blind index (a keyed hash) is only ever compared
whole — look-ups, IN lists and the cross-check's joins — so its twin is never read, yet every
imported household and person enters it: 148 MB on the province demo (head IDs 99 MB, people's
IDs 49 MB). Django's migration state does not track these twins; an AlterField of either
column would make one again, and then this is to be repeated."""

from django.db import migrations

COLUMNS = [("households_household", "head_id_digest"), ("households_person", "id_number_digest")]


def drop_like_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table, column in COLUMNS:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename = %s AND indexdef LIKE %s",
                [table, f"%({column} varchar_pattern_ops)%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("households", "0015_household_list_more_facts")]

    operations = [migrations.RunPython(drop_like_indexes, migrations.RunPython.noop)]
