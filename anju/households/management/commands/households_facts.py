"""Recount the household list's facts from the archive (after a repair made outside the
application, or to check them): `anju manage households_facts [--check]`."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from anju.households.facts import FIELDS, facts_differences, facts_refresh
from anju.households.models import Household

LABELS = {name: Household._meta.get_field(name).verbose_name for name in FIELDS}


class Command(BaseCommand):
    help = "从鉴定、改造和发放记录重新计算农户列表的筛选字段；--check 只核对"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只核对，不改写")

    def handle(self, *args, check=False, **options):
        if check:
            differences = facts_differences()
            for household, kept, counted in differences:
                shown = "，".join(
                    f"{LABELS[f]} {k}→{c}"
                    for f, k, c in zip(FIELDS, kept, counted, strict=True)
                    if k != c
                )
                self.stdout.write(f"农户 {household}：{shown}")
            if differences:
                raise CommandError("农户列表的筛选字段与重算不一致（见上，最多列出 20 户）")
            self.stdout.write("农户列表的筛选字段与重算一致。")
            return
        with transaction.atomic():
            rows = facts_refresh()
        self.stdout.write(f"已重新计算 {rows} 户的筛选字段。")
