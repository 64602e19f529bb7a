from unittest import skipUnless

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import TestCase

from anju.audit.models import Action, AuditEntry
from anju.audit.services import audit


@skipUnless(connection.vendor == "postgresql", "PostgreSQL only: SQLite has no roles")
class LockdownTests(TestCase):
    """On PostgreSQL the app's role may append to the audit log but not change it."""

    @classmethod
    def setUpTestData(cls):
        with connection.cursor() as cursor:
            cursor.execute("DROP ROLE IF EXISTS anju_app_test")
            cursor.execute("CREATE ROLE anju_app_test")
            cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO anju_app_test")
            cursor.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO anju_app_test")
        call_command("audit_lockdown", "anju_app_test")

    def as_app(self, sql: str, params=()):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE anju_app_test")
            cursor.execute(sql, params)

    def test_the_app_role_appends_but_cannot_update_or_delete(self):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE anju_app_test")
            audit(actor="app", action=Action.UPDATE, obj="x.y", after={"a": 1})
        entry = AuditEntry.objects.latest("seq")
        for sql in (
            "UPDATE audit_auditentry SET object_repr = 'x' WHERE id = %s",
            "DELETE FROM audit_auditentry WHERE id = %s",
        ):
            with self.subTest(sql=sql), self.assertRaises(DatabaseError):
                self.as_app(sql, [entry.id])
        with self.assertRaises(DatabaseError):
            self.as_app("TRUNCATE audit_auditentry")
