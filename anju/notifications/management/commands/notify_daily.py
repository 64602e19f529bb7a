"""Run the daily notification run now (the worker does it at ANJU_DIGEST_HOUR): every business
user's list refreshed, the digests queued and sent. Safe to re-run: a day runs once."""

import time
from datetime import date

from django.core.management.base import BaseCommand

from anju.notifications import services


class Command(BaseCommand):
    help = "每日通知：刷新每个用户的待办、生成并发送每日汇总（同一天只运行一次）"

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD，默认今天")

    def handle(self, *args, **options):
        day = date.fromisoformat(options["day"]) if options["day"] else None
        began = time.perf_counter()
        run = services.daily(day)
        took = time.perf_counter() - began
        if run is None:
            self.stdout.write("今天的通知已经运行过，未重复发送。")
            return
        self.stdout.write(
            f"{run.day}：{run.users} 个用户，新通知 {run.notifications} 条，"
            f"汇总消息 {run.deliveries} 条，用时 {took:.1f} 秒。"
        )
