from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse

from anju.oversight import services
from anju.oversight.access import clues_visible_to
from anju.oversight.annexes import annex1_values, annex2_rows, consistency
from anju.oversight.models import Clue, Exposure
from anju.regions.models import Region
from anju.reporting import workflow
from tests.base import AnjuTestCase
from tests.oversight.helpers import register

OCT = date(2026, 10, 1)


class TransferTests(AnjuTestCase):
    def setUp(self):
        self.clue, _ = register(self.carol)
        self.xinluo = Region.objects.get(code="350802000000")

    def send(self, target="district", region=None, unit="新罗区住建局"):
        c = Clue.objects.get(pk=self.clue.pk)
        return services.transfer_send(
            actor=self.carol,
            clue=c,
            version=c.version,
            target=target,
            to_region=region or self.xinluo,
            to_unit=unit,
        )

    def test_the_receiver_sees_it_acknowledges_and_reports_back(self):
        self.assertFalse(clues_visible_to(self.xavier).filter(pk=self.clue.pk).exists())
        transfer = self.send()
        self.assertTrue(clues_visible_to(self.xavier).filter(pk=self.clue.pk).exists())
        self.assertIsNotNone(transfer.due_on)
        self.login(self.xavier)
        self.client.post(reverse("oversight:transfer_ack", args=[transfer.pk]))
        self.client.post(
            reverse("oversight:transfer_report", args=[transfer.pk]),
            {"report": "经核实，已责令退回资金"},
        )
        transfer.refresh_from_db()
        self.assertEqual(transfer.report, "经核实，已责令退回资金")
        self.assertIsNotNone(transfer.acknowledged_on)
        self.login(self.carol)
        page = self.client.get(reverse("oversight:clue", args=[self.clue.pk]))
        self.assertContains(page, "经核实，已责令退回资金")

    def test_until_then_the_sender_sees_it_waiting(self):
        self.send()
        self.login(self.carol)
        page = self.client.get(reverse("oversight:transfers"))
        self.assertContains(page, "等待对方签收")

    def test_only_the_receiver_may_report_back(self):
        transfer = self.send()
        self.login(self.bob)
        response = self.client.post(
            reverse("oversight:transfer_report", args=[transfer.pk]), {"report": "冒充"}
        )
        self.assertEqual(response.status_code, 403)
        self.login(self.rita)  # the sender's own county: not the receiver
        response = self.client.post(
            reverse("oversight:transfer_report", args=[transfer.pk]), {"report": "冒充"}
        )
        self.assertEqual(response.status_code, 404)

    def test_discipline_transfers_are_for_discipline_staff(self):
        county = Region.objects.get(code="350881000000")
        transfer = self.send(target="discipline", region=county, unit="漳平市纪委监委")
        with self.assertRaisesMessage(ValidationError, "纪检监察人员签收"):
            services.transfer_acknowledge(actor=self.carol, transfer=transfer)
        services.transfer_report_back(actor=self.dora, transfer=transfer, report="已立案审查")
        self.assertEqual(Clue.objects.get(pk=self.clue.pk).disposal, "transfer")


class SupervisionTests(AnjuTestCase):
    def test_the_city_marks_key_supervision_and_the_district_sees_it(self):
        clue, _ = register(self.carol)
        self.login(self.cindy)
        response = self.client.post(
            reverse("oversight:supervise", args=[clue.pk]),
            {"version": clue.version, "due": "2099-12-31", "note": "典型问题，限期查处"},
        )
        self.assertEqual(response.status_code, 302)
        board = self.client.get(reverse("oversight:supervision"))
        self.assertContains(board, clue.number)
        self.login(self.carol)
        page = self.client.get(reverse("oversight:clue", args=[clue.pk]))
        self.assertContains(page, "限期查处")
        self.assertContains(page, "2099-12-31")

    def test_a_district_may_not_supervise(self):
        clue, _ = register(self.carol)
        self.login(self.carol)
        response = self.client.post(
            reverse("oversight:supervise", args=[clue.pk]),
            {"version": clue.version, "due": "2099-12-31", "note": "x"},
        )
        self.assertEqual(response.status_code, 403)


class AnnexFixture(AnjuTestCase):
    def setUp(self):
        self.county = Region.objects.get(code="350881000000")
        self.a, _ = register(self.carol, funds="2.5", received_on=date(2026, 10, 5))
        self.b, _ = register(
            self.carol,
            summary="东洋村验收走过场无卫生厕所",
            names=("李四", "王五"),
            region="350881101000",
            funds="1",
            received_on=date(2026, 10, 20),
            level="township",
        )
        register(self.carol, summary="九月份的旧问题", received_on=date(2026, 9, 20))
        register(
            self.xavier, summary="别的区县", region="350802001000", received_on=date(2026, 10, 6)
        )
        for name, level, kind, form in (
            ("张三", "village", "party", 2),
            ("李四", "township", "government", 1),
            ("李四", "township", "admonish", 1),
        ):
            services.sanction_add(
                actor=self.carol,
                clue=self.a,
                kind=kind,
                decided_on=date(2026, 10, 25),
                person_name=name,
                level=level,
                form=form,
            )
        services.sanction_add(
            actor=self.carol,
            clue=self.a,
            kind="unit_notice",
            decided_on=date(2026, 10, 26),
            unit="新桥镇人民政府",
        )
        Exposure.objects.create(
            region=self.county,
            exposed_on=date(2026, 10, 28),
            channel="市纪委监委网站",
            problems=2,
            persons=3,
            recorded_by=self.carol,
        )


class AnnexCountingTests(AnnexFixture):
    def test_every_counted_column(self):
        v = annex1_values(self.county, OCT)
        self.assertEqual(v[0], 2)  # found in October in 漳平 (not September, not 新罗区)
        self.assertEqual(v[3], 1)  # 单位·通报
        self.assertEqual(v[4], 2)  # 受处理处分总人数: 张三, 李四
        self.assertEqual(v[7], 1)  # 党纪处分·乡科级以下 (a village cadre)
        self.assertEqual(v[9], 1)  # 政务处分·乡科级
        self.assertEqual(v[11], 1)  # 诫勉谈话
        self.assertEqual(v[15], 1)  # 第一种形态·乡科级及以下 (李四 once, two sanctions)
        self.assertEqual(v[20], 1)  # 第二种形态·村社干部 (张三)
        self.assertEqual((v[30], v[31], v[32]), (1, 2, 3))
        self.assertEqual(v[33], Decimal("3.50"))
        self.assertEqual(sum(v[14:30]), 2)

    def test_annex2_rows_and_consistency(self):
        rows = annex2_rows(self.county, OCT)
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[0].source, "信访举报")
        self.assertEqual(rows[1].persons[1].level, "乡科级")
        self.assertEqual(rows[0].disposal, "正在核查")
        # 涉及地方 at district level (填到区一级); the township stays in the summary.
        self.assertEqual({r.place for r in rows}, {"漳平市"})
        self.assertEqual([r.summary[:5] for r in rows], ["（新桥镇）", "（双洋镇）"])
        self.assertEqual(consistency(annex1_values(self.county, OCT), rows), [])

    def test_the_workflow_prepares_annex1_and_annex2_from_the_ledger(self):
        from anju.reporting.reader import load, read_report
        from tests.reporting.test_read_write import assert_annex1_layout, assert_annex2_layout

        for kind in ("annex1", "annex2"):
            report = workflow.report_prepare(
                actor=self.carol, region=self.county, kind=kind, period=OCT
            )
            result = read_report(bytes(report.file))
            rows = load(bytes(report.file)).rows
            if kind == "annex1":
                assert_annex1_layout(rows, "漳平市", "2026年10")
                self.assertEqual([rows[6][c] for c in range(34)][:5], [2, 0, 0, 1, 2])
                self.assertEqual(result["values"][0], 2)
                self.assertEqual(result["values"][33], Decimal("3.50"))
            else:
                assert_annex2_layout(rows, "漳平市", "2026年10")
                self.assertEqual(len(result["rows"]), 2)
                self.assertEqual(result["rows"][1]["persons"][0]["name"], "李四")


class ReportCommandTests(AnnexFixture):
    def test_anju_report_writes_annex1_and_annex2_for_a_district(self):
        import io
        import tempfile
        from contextlib import redirect_stderr, redirect_stdout
        from pathlib import Path

        from anju.cli import main
        from anju.reporting.reader import read_report

        out = Path(tempfile.mkdtemp())
        for kind in ("annex1", "annex2"):
            buffer = io.StringIO()
            with redirect_stdout(buffer), redirect_stderr(buffer):
                code = main(
                    [
                        "report",
                        kind,
                        "--region",
                        "350881",
                        "--month",
                        "2026-10",
                        "--out",
                        str(out / f"{kind}.xlsx"),
                    ]
                )
            self.assertEqual(code, 0, buffer.getvalue())
        self.assertEqual(read_report(str(out / "annex1.xlsx"))["values"][0], 2)
        self.assertEqual(len(read_report(str(out / "annex2.xlsx"))["rows"]), 2)

    def test_a_township_code_is_refused(self):
        import io
        from contextlib import redirect_stderr, redirect_stdout

        from anju.cli import main

        buffer = io.StringIO()
        with redirect_stdout(buffer), redirect_stderr(buffer):
            code = main(
                [
                    "report",
                    "annex1",
                    "--region",
                    "350881100000",
                    "--month",
                    "2026-10",
                    "--out",
                    "/tmp/x.xlsx",
                ]
            )
        self.assertEqual(code, 1)
        self.assertIn("月报按区县编制", buffer.getvalue())


class QuarterlyReportTests(AnnexFixture):
    def test_the_quarterly_clue_report_lists_the_quarters_clues(self):
        from anju.reporting.reader import load

        report = workflow.report_prepare(
            actor=self.carol, region=self.county, kind="clue_quarterly", period=date(2026, 10, 1)
        )
        self.assertEqual(report.due_date, date(2027, 1, 10))
        self.assertEqual(report.values["rows"], 2)
        grid = load(bytes(report.file))
        self.assertIn("2026年第4季度", grid.rows[0][0])
        report_q3 = workflow.report_prepare(
            actor=self.carol, region=self.county, kind="clue_quarterly", period=date(2026, 7, 1)
        )
        self.assertEqual(report_q3.values["rows"], 1)  # the September clue
