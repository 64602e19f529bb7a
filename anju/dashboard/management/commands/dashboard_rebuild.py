"""Recount the overview's summary from the archive (after restoring a backup, changing the
payment days, or to check it): `anju manage dashboard_rebuild [--check]`."""

from django.core.management.base import BaseCommand, CommandError

from anju.dashboard.tally import tally_differences, tally_rebuild


class Command(BaseCommand):
    help = "从农户档案重新统计总览汇总表；--check 只核对汇总表与全量重算是否一致"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只核对，不改写")

    def handle(self, *args, check=False, **options):
        if check:
            differences = tally_differences()
            for region, figure, day, kept, counted in differences[:20]:
                self.stdout.write(f"{region} {figure} {day or '-'}: 汇总 {kept}，重算 {counted}")
            if differences:
                raise CommandError(f"汇总表与重算不一致：{len(differences)} 处")
            self.stdout.write("汇总表与全量重算一致。")
            return
        rows = tally_rebuild()
        self.stdout.write(f"已重新统计总览汇总表：{rows} 行。")
