from datetime import date

from anju.households import plates, visits
from anju.households.imports import import_households
from anju.households.models import Household
from anju.oversight import services as ledger
from anju.regions.models import Region
from anju.reporting import workflow
from anju.reporting.models import ReportDuty
from tests.base import AnjuTestCase
from tests.households.files import row, xlsx
from tests.photos import jpeg


class ProgressReportTests(AnjuTestCase):
    def test_the_months_work_per_township(self):
        import_households(
            actor="test",
            file_name="t.xlsx",
            data=xlsx(
                [
                    row(1, **{"鉴定日期": "2026-10-09"}),
                    row(
                        2, **{"行政村": "东洋村", "乡镇(街道)": "双洋镇", "鉴定日期": "2026-09-30"}
                    ),
                ]
            ),
        )
        household = Household.objects.get(head_name="农户1")
        plate = plates.plate_issue(
            actor=self.alice, household=household, issued_on=date(2026, 10, 1)
        )
        plates.plate_installed(
            actor=self.alice,
            plate=plate,
            installed_on=date(2026, 10, 12),
            photo=jpeg(),
        )
        visits.visit_record(
            actor=self.alice, household=household, visited_on=date(2026, 10, 20), findings=[]
        )
        item = ledger.item_create(
            actor=self.alice,
            region=self.regions["350881100000"],
            source="visit",
            description="漏雨",
            owner="黄",
            deadline=date(2026, 12, 1),
        )
        ledger.item_done(
            actor=self.alice,
            item=item,
            note="屋面已修缮",
            evidence=PHOTO,
            done_on=date(2026, 10, 25),
        )
        county = Region.objects.get(code="350881000000")
        # A city that asks its districts for the progress report (a duty set at the city).
        ReportDuty.objects.create(
            region=self.regions["350800000000"],
            kind="progress",
            reporters="districts",
            recipient="市住建局",
        )
        report = workflow.report_prepare(
            actor=self.carol, region=county, kind="progress", period=date(2026, 10, 1)
        )
        self.assertEqual(report.due_date, date(2026, 10, 23))
        rows = {r[0]: r[1:] for r in report.values["rows"]}
        self.assertEqual(rows["新桥镇"][:3], [1, 1, 1])
        self.assertEqual(rows["双洋镇"][0], 0)  # assessed in September
        self.assertEqual(rows["新桥镇"][4], 1)  # the item, done in October
        self.assertEqual(rows["合计"][0], 1)
        from anju.reporting.reader import load

        grid = load(bytes(report.file))
        self.assertIn("工作进展（2026年10月）", grid.rows[0][0])
        # 突出问题处理情况: the item rectified in the month, and the clerk's narrative.
        self.assertEqual(
            report.values["handled"], [["新桥镇", "漏雨", "已整改", "黄", "2026-10-25"]]
        )
        report = workflow.report_prepare(
            actor=self.carol,
            region=county,
            kind="progress",
            period=date(2026, 10, 1),
            remarks="新桥镇漏雨户已修缮，双洋镇鉴定下月完成。",
        )
        cells = [str(v) for r in load(bytes(report.file)).rows for v in r if v]
        self.assertIn("突出问题处理情况", cells)
        self.assertIn("情况说明：新桥镇漏雨户已修缮，双洋镇鉴定下月完成。", cells)


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 90, 60)).save(out, "PNG")
    return out.getvalue()


PHOTO = _png()
