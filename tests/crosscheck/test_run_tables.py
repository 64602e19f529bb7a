"""Issue 34: what several rules need is computed once per run, in a table of the run's own
(`Context.table`): the finance list's payments fitted to their renovations, and what was paid for
each renovation. The tables are gone when the run ends, and one left by a killed run is dropped
by the next."""

import time_machine
from django.db import connection
from django.utils import timezone

from anju.crosscheck.models import CheckRun
from anju.crosscheck.references import current_lists
from anju.crosscheck.rules import RULES, Context
from anju.crosscheck.rules.base import SCRATCH
from anju.crosscheck.runs import execute, start_run
from anju.regions.models import Region
from tests.base import AnjuTestCase
from tests.crosscheck.helpers import CITY, archive, pay, reference, rid, row

FINANCE = ["姓名", "身份证号", "一卡通账号", "账户名", "发放金额(元)", "发放日期", "补贴项目"]
PAYMENT_RULES = ["DECEASED_BENEFICIARY", "PAYMENT_ACCOUNT", "PAYMENT_AMOUNT", "PAYMENT_LATE"]
# The aggregate that fits a payment of the finance list to its renovation (`paid.fit`).
FITTING = "x.approved_on <= r.start"


def scratch_tables() -> list[str]:
    return [t for t in connection.introspection.table_names() if t.startswith(SCRATCH)]


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class RunTablesTests(AnjuTestCase):
    def setUp(self):
        archive(*(row(n, **{"户主姓名": "陈金水"}) for n in range(1, 5)))
        pay(4, 40000, "2019-10-20")  # one renovation paid in the archive only
        reference("deaths", ["姓名", "身份证号", "死亡日期"], [["陈金水", rid(1), "2019-10-18"]])
        reference(
            "payments",
            FINANCE,
            [
                ["陈金水", rid(1), "6217001234567890", "陈金水", "40000", "2019-10-20", "危改"],
                ["陈金水", rid(2), "6222000011112222", "陈金水", "30000", "2019-12-30", "危改"],
            ],
        )
        self.city = Region.objects.get(code=CITY)

    def context(self, statements: list[str]) -> Context:
        by_kind: dict[str, list[int]] = {}
        for reference_list in current_lists(self.city):
            by_kind.setdefault(reference_list.kind, []).append(reference_list.pk)

        def run_sql(sql: str, params: list) -> list[tuple]:
            statements.append(sql)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []

        return Context(region=self.city, lists=by_kind, today=timezone.localdate(), execute=run_sql)

    def test_the_payment_rules_fit_the_finance_list_once_per_run(self):
        statements: list[str] = []
        ctx = self.context(statements)
        found = {code: [hit.id_number for hit in RULES[code](ctx)] for code in PAYMENT_RULES}
        ctx.close()
        fitting = [sql for sql in statements if FITTING in sql]
        self.assertEqual(len(fitting), 1, "the payments were fitted more than once")
        self.assertTrue(fitting[0].lstrip().startswith("CREATE"))
        # What they found is what they found before the tables: the death before the payment,
        # the other account, the short and the late payment, the archive's payment counted.
        self.assertEqual(found["DECEASED_BENEFICIARY"], [rid(1)])
        self.assertEqual(found["PAYMENT_ACCOUNT"], [rid(2)])
        self.assertEqual(sorted(found["PAYMENT_AMOUNT"]), [rid(2)])
        self.assertEqual(sorted(found["PAYMENT_LATE"]), [rid(2), rid(3)])
        self.assertEqual(scratch_tables(), [])

    def test_a_run_leaves_no_table_and_drops_one_a_killed_run_left(self):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {SCRATCH}finance_paid_deadbeef0000 (vid integer)")
        run = execute(start_run(actor="test", region=self.city))
        self.assertEqual(run.counts["PAYMENT_LATE"], 2)
        self.assertEqual(scratch_tables(), [])

    def test_a_table_in_use_by_another_run_is_not_dropped(self):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {SCRATCH}finance_paid_0123456789ab (vid integer)")
        CheckRun.objects.create(region=self.city, actor_name="other", status="running")
        execute(start_run(actor="test", region=self.city))
        self.assertEqual(scratch_tables(), [f"{SCRATCH}finance_paid_0123456789ab"])
