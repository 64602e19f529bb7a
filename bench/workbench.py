"""The workbench (待办) and the daily notification run.

- the home page (the person's to-do list) p50/p95 for the city office, a county clerk, the
  county reviewer, discipline inspection and a township clerk of the demo;
- the daily run for every business user: the demo's own accounts plus, as a real installation
  has, a township clerk for every township and a clerk, a reviewer and a discipline officer for
  every county, each with an e-mail channel in digest mode (Django's in-memory e-mail backend:
  the run, not an SMTP server, is measured); then the next day's run, which finds nothing new.

`make bench` runs it after loading the demo of BENCH_SIZE; on a demo already built:
    ANJU_DATA_DIR=/tmp/wb-city .venv/bin/python -m bench.workbench
"""

import os
import sys
import time
from datetime import timedelta


def _staff(count_only: bool = False) -> int:
    """A clerk for every township, three officers for every county (bench_ accounts)."""
    from django.db import transaction

    from anju.accounts.models import RoleGrant, User
    from anju.accounts.roles import Role
    from anju.notifications.models import Channel
    from anju.notifications.senders import shown
    from anju.regions.models import Level, Region

    plan = [(r.code, Role.TOWNSHIP_CLERK) for r in Region.objects.filter(level=Level.TOWNSHIP)]
    for county in Region.objects.filter(level=Level.COUNTY).values_list("code", flat=True):
        plan += [
            (county, Role.COUNTY_CLERK),
            (county, Role.COUNTY_REVIEWER),
            (county, Role.DISCIPLINE),
        ]
    with transaction.atomic():
        existing = set(
            User.objects.filter(username__startswith="bench_").values_list("username", flat=True)
        )
        users = [
            User(username=f"bench_{role}_{code}", full_name="测试", region_id=code, unit="bench")
            for code, role in plan
            if f"bench_{role}_{code}" not in existing
        ]
        User.objects.bulk_create(users)
        made = {
            u.username: u for u in User.objects.filter(username__in=[u.username for u in users])
        }
        RoleGrant.objects.bulk_create(
            [
                RoleGrant(user=made[f"bench_{role}_{code}"], role=role)
                for code, role in plan
                if f"bench_{role}_{code}" in made
            ]
        )
        for user in User.objects.filter(is_active=True, region__isnull=False).exclude(
            notify_channels__isnull=False
        ):
            address = f"{user.username}@bench.example"
            Channel.objects.create(
                user=user, kind="email", address=address, shown=shown("email", address)
            )
    return len(plan)


def run() -> None:
    from django.conf import settings
    from django.core import mail
    from django.utils import timezone

    from anju.notifications import services
    from anju.notifications.models import DigestRun
    from bench.dashboard import timings
    from bench.households import signed_in

    figures = []
    for username in ("city", "zp_clerk", "zp_reviewer", "zp_jijian", "xq_clerk"):
        client = signed_in(username)
        client.get("/")  # warm the caches once, as a running server has them
        t = timings(client, "/")
        figures.append(
            f"workbench {username}: p50 {t['p50']:.0f} ms, p95 {t['p95']:.0f} ms "
            f"(CPU p50 {t['cpu50']:.0f} ms, p95 {t['cpu95']:.0f} ms)"
        )
    print("\n".join(figures))

    extra = _staff()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    today = timezone.localdate()
    DigestRun.objects.filter(day__in=[today, today + timedelta(days=1)]).delete()
    users = services.business_users().count()
    start, cpu = time.perf_counter(), time.process_time()
    first = services.daily(today)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    sent = len(mail.outbox)
    start, cpu2 = time.perf_counter(), time.process_time()
    second = services.daily(today + timedelta(days=1))
    took2, cpu2 = time.perf_counter() - start, time.process_time() - cpu2
    print(
        f"daily run, {users} business users ({extra} bench staff added): {took:.1f} s "
        f"(CPU {cpu:.1f} s, {cpu / max(users, 1) * 1000:.0f} ms a user), "
        f"{first.notifications} notifications, {sent} digest e-mails; next day {took2:.1f} s "
        f"(CPU {cpu2:.1f} s), {second.notifications} new, {len(mail.outbox) - sent} e-mails"
    )


if __name__ == "__main__":
    os.environ.setdefault("ANJU_HTTPS", "0")
    from anju.cli import _setup

    _setup()
    run()
    sys.exit(0)
