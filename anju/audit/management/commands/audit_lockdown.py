from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from anju.audit.models import AuditEntry, AuditHead


class Command(BaseCommand):
    help = (
        "PostgreSQL：撤销应用数据库角色对审计记录的 UPDATE/DELETE/TRUNCATE 权限，"
        "只留 SELECT/INSERT。由数据库所有者（执行迁移的角色）运行；应用以另一个角色连接。"
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the database role the app connects as")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("只适用于 PostgreSQL（SQLite 没有数据库角色）。")
        quote = connection.ops.quote_name
        entries, head = quote(AuditEntry._meta.db_table), quote(AuditHead._meta.db_table)
        who = quote(role)
        with connection.cursor() as cursor:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {entries} FROM {who}")
            cursor.execute(f"GRANT SELECT, INSERT ON {entries} TO {who}")
            cursor.execute(f"REVOKE DELETE, TRUNCATE ON {head} FROM {who}")
            cursor.execute(f"GRANT SELECT, UPDATE ON {head} TO {who}")
        self.stdout.write(f"角色 {role} 对审计记录只能查询和追加。")
