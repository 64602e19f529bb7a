from django.core.management.base import BaseCommand

from anju.accounts.services import DORMANT_DAYS, dormant_accounts_disable


class Command(BaseCommand):
    help = f"停用超过 {DORMANT_DAYS} 天未使用的账号（可每日定时运行；登录时也会检查）。"

    def handle(self, *args, **options):
        count = dormant_accounts_disable()
        self.stdout.write(f"已停用 {count} 个超过 {DORMANT_DAYS} 天未使用的账号。")
