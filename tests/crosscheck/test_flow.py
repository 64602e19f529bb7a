"""Lists as versioned datasets, runs that keep a finding once, triage into the clue ledger, the
pages and the command line's JSON."""

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import date

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TransactionTestCase
from django.urls import reverse

from anju.audit.models import AuditEntry
from anju.cli import main
from anju.crosscheck.models import CheckRun, Finding, ReferenceList, ReferenceRecord
from anju.crosscheck.references import current_lists, import_reference, parse_reference
from anju.crosscheck.runs import execute, start_run
from anju.oversight.models import Clue
from anju.regions.models import Region
from tests.base import AnjuTestCase, make_cast, make_regions
from tests.crosscheck.helpers import archive, found, reference, rid, row


class ReferenceImportTests(AnjuTestCase):
    def test_aliases_id_forms_dates_and_a_title_row(self):
        text = (
            "漳平市殡葬管理所死亡人员名单\n\n"
            "死者姓名,身份证号码,死亡时间,备注\n"
            f"陈 金水,{rid(1)[:-1]}x,2019/3/5,\n"
            f"林　木,{rid(2)[:6] + rid(2)[8:17]},2019年3月6日,\n"
        )
        if rid(1)[-1] != "X":
            text = text.replace(f"{rid(1)[:-1]}x", rid(1))
        entries, errors, _ = parse_reference("deaths", text.encode("gbk"))
        self.assertEqual(errors, [])
        self.assertEqual([e.name for e in entries], ["陈金水", "林木"])
        self.assertEqual(entries[1].id_number, rid(2))  # 15 digits made 18
        self.assertEqual(entries[1].start, date(2019, 3, 6))

    def test_a_bad_row_writes_nothing_and_every_bad_row_is_named(self):
        text = (
            f"姓名,身份证号,死亡日期\n甲,{rid(1)},2019-03-05\n乙,12345,2019-03-05\n"
            f"丙,{rid(3)},昨天\n"
        )
        result = import_reference(
            actor="t",
            kind="deaths",
            data=text.encode(),
            file_name="d.csv",
            region=Region.objects.get(code="350800000000"),
        )
        self.assertEqual(
            [str(e) for e in result.errors],
            ["row 3: 身份证号: 不是身份证号「12345」", "row 4: 死亡日期: 不是日期「昨天」"],
        )
        self.assertFalse(ReferenceList.objects.exists())
        self.assertFalse(ReferenceRecord.objects.exists())

    def test_head_id_is_the_persons_own_only_when_it_is_the_one_id_column(self):
        member = rid(5, year=1980)
        text = f"姓名,身份证号,户主身份证号,识别日期\n妻,{member},{rid(1)},2016-01-01\n"
        entries, _, _ = parse_reference("poverty", text.encode())
        self.assertEqual((entries[0].id_number, entries[0].head_id), (member, rid(1)))

    def test_a_new_list_supersedes_the_old_for_new_runs_and_old_runs_keep_theirs(self):
        first = reference("deaths", ["姓名", "身份证号", "死亡日期"], [["甲", rid(1), "2019-1-1"]])
        found("DECEASED_BENEFICIARY")
        old_run = CheckRun.objects.get()
        second = reference("deaths", ["姓名", "身份证号", "死亡日期"], [["乙", rid(2), "2019-1-1"]])
        first.refresh_from_db()
        self.assertEqual(first.superseded_by, second)
        region = Region.objects.get(code="350881100203")
        self.assertEqual(list(current_lists(region)), [second])
        self.assertEqual(list(old_run.lists.all()), [first])
        self.assertTrue(AuditEntry.objects.filter(action="import", object_id=str(second.pk)))


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class RunTests(AnjuTestCase):
    def test_the_same_problem_found_again_stays_one_finding(self):
        archive(row(1, **{"有无卫生厕所": "无"}))
        found("NO_TOILET")
        again = found("NO_TOILET")
        self.assertEqual(Finding.objects.count(), 1)
        self.assertEqual(again[0].times_found, 2)
        self.assertEqual(CheckRun.objects.filter(status="done").count(), 2)
        self.assertEqual(CheckRun.objects.order_by("pk").last().new, 0)

    def test_a_run_limited_to_a_township_leaves_other_townships_alone(self):
        archive(
            row(1, **{"有无卫生厕所": "无"}),
            row(2, **{"有无卫生厕所": "无", "乡镇(街道)": "双洋镇", "行政村": "东洋村"}),
        )
        self.assertEqual([h.id_number for h in found("NO_TOILET", "350881101000")], [rid(2)])

    def test_the_command_line_writes_the_contract_json(self):
        archive(row(1, **{"有无卫生厕所": "无"}))
        out = self.tmp_path("findings.json")
        xlsx = self.tmp_path("findings.xlsx")
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            code = main(["crosscheck", "--region", "350881000000", "--json", out, "--xlsx", xlsx])
        self.assertEqual(code, 0)
        with open(out, encoding="utf-8") as fh:
            rows = json.load(fh)
        toilet = [r for r in rows if r["rule"] == "NO_TOILET"]
        self.assertEqual(len(toilet), 1)
        self.assertEqual(
            {k: toilet[0][k] for k in ("rule", "id_number", "region_code", "renovation_year")},
            {
                "rule": "NO_TOILET",
                "id_number": rid(1),
                "region_code": "350881100203",
                "renovation_year": 2019,
            },
        )
        self.assertIn("无卫生厕所", toilet[0]["evidence"])
        from anju.reporting.reader import load

        with open(xlsx, "rb") as fh:
            grid = load(fh.read())
        self.assertIn(rid(1), [v for r in grid.rows for v in r])

    def tmp_path(self, name):
        import tempfile

        folder = tempfile.mkdtemp()
        return f"{folder}/{name}"


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class TriageTests(AnjuTestCase):
    def setUp(self):
        archive(row(1, **{"有无卫生厕所": "无"}))
        self.finding = found("NO_TOILET")[0]

    def test_confirming_opens_a_clue_through_the_ledger_with_the_evidence(self):
        self.login(self.carol)
        response = self.client.post(
            reverse("crosscheck:confirm", args=[self.finding.pk]),
            {"person_name": "农户1", "person_post": "农户", "person_level": "other"},
            follow=True,
        )
        self.assertContains(response, "登记为问题线索")
        clue = Clue.objects.get()
        self.assertEqual(clue.source_channel, "data_check")
        self.assertIn("验收记录为无卫生厕所", clue.summary)
        self.finding.refresh_from_db()
        self.assertEqual((self.finding.status, self.finding.clue), ("confirmed", clue))

    def test_dismissing_needs_a_reason_and_keeps_it(self):
        self.login(self.carol)
        url = reverse("crosscheck:dismiss", args=[self.finding.pk])
        response = self.client.post(url, {"reason": ""}, follow=True)
        self.assertContains(response, "须说明理由")
        self.client.post(url, {"reason": "已补建卫生厕所，附照片"})
        self.finding.refresh_from_db()
        self.assertEqual(
            (self.finding.status, self.finding.reason), ("dismissed", "已补建卫生厕所，附照片")
        )
        self.assertTrue(AuditEntry.objects.filter(object_id=str(self.finding.pk), action="update"))

    def test_a_township_clerk_sees_but_cannot_triage(self):
        self.login(self.alice)
        page = self.client.get(reverse("crosscheck:finding", args=[self.finding.pk]))
        self.assertContains(page, "验收记录为无卫生厕所")
        self.assertNotContains(page, "属实，转为问题线索")
        response = self.client.post(
            reverse("crosscheck:dismiss", args=[self.finding.pk]), {"reason": "x"}
        )
        self.assertEqual(response.status_code, 403)


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class PageTests(AnjuTestCase):
    def test_run_now_counts_by_rule_the_run_page_and_the_household_page(self):
        archive(row(1, **{"有无卫生厕所": "无", "户主身份证号": rid(1)}))
        self.login(self.carol)
        response = self.client.post(reverse("crosscheck:run_new"), follow=True)
        self.assertContains(response, "比对完成")
        self.assertContains(response, "没有可用的部门名单")
        page = self.client.get(reverse("crosscheck:findings"))
        counts = {code: n for code, _, n in page.context["rules"]}
        self.assertEqual(counts["NO_TOILET"], 1)
        self.assertNotContains(page, rid(1))  # masked
        # Per township of the county: both of the household's findings (no toilet, not paid)
        # are in 新桥镇; its earth-timber house was rebuilt, so no visits are owed for it.
        self.assertEqual(page.context["by_area"], [("350881100000", "新桥镇", 2)])
        household = self.client.get(
            reverse("households:household", args=[Finding.objects.first().household_id])
        )
        self.assertContains(household, "数据比对疑点")

    def test_the_data_provider_uploads_a_list_and_sees_row_errors(self):
        self.login(self.pete)
        bad = f"姓名,身份证号,死亡日期\n甲,{rid(1)},2019-03-05\n乙,bad,2019-03-05\n".encode()
        response = self.client.post(
            reverse("crosscheck:lists"),
            {"kind": "deaths", "file": SimpleUploadedFile("d.csv", bad)},
        )
        self.assertContains(response, "不是身份证号「bad」")
        good = f"姓名,身份证号,死亡日期\n甲,{rid(1)},2019-03-05\n".encode()
        response = self.client.post(
            reverse("crosscheck:lists"),
            {"kind": "deaths", "file": SimpleUploadedFile("d.csv", good)},
            follow=True,
        )
        self.assertContains(response, "已导入死亡人员名单 1 行")
        self.assertEqual(ReferenceList.objects.get().uploaded_by, self.pete)
        self.assertEqual(self.client.get(reverse("crosscheck:findings")).status_code, 403)


class FailureTests(AnjuTestCase):
    def test_a_rule_that_fails_fails_the_run_and_keeps_nothing(self):
        from unittest import mock

        from anju.crosscheck import rules

        archive(row(1, **{"有无卫生厕所": "无"}))

        def broken(ctx):
            raise RuntimeError("disk")

        run = start_run(actor="test", region=Region.objects.get(code="350881000000"))
        with (
            mock.patch.dict(rules.RULES, {"NO_ACCEPTANCE": broken}),
            self.assertRaises(RuntimeError),
        ):
            execute(run)
        run.refresh_from_db()
        self.assertEqual(run.status, "failed")
        self.assertIn("未保存任何发现", run.message)
        self.assertFalse(Finding.objects.exists())

    def test_a_run_left_running_by_a_dead_worker_is_marked_failed(self):
        from anju.crosscheck.tasks import fail_interrupted

        run = CheckRun.objects.create(region_id="350881000000", actor_name="x", status="running")
        self.assertEqual(fail_interrupted(), 1)
        run.refresh_from_db()
        self.assertEqual(run.status, "failed")
        self.assertIsNotNone(run.finished_at)


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class ParallelRunTests(TransactionTestCase):
    """Outside a transaction the rules run on two connections at once; same findings."""

    def setUp(self):
        make_regions()
        make_cast()

    def test_two_connections_find_what_one_finds(self):
        archive(
            row(1, **{"有无卫生厕所": "无"}),
            row(2, **{"危险等级": "B"}),
            row(3, **{"验收日期": ""}),
        )
        region = Region.objects.get(code="350881000000")
        with self.settings(ANJU_CROSSCHECK_WORKERS=2):
            parallel = execute(start_run(actor="test", region=region))
        with self.settings(ANJU_CROSSCHECK_WORKERS=1):
            serial = execute(start_run(actor="test", region=region))
        self.assertEqual(parallel.counts, serial.counts)
        self.assertEqual(parallel.found, serial.found)
        self.assertEqual(serial.new, 0)
        self.assertGreaterEqual(parallel.counts["NO_TOILET"], 1)
        self.assertEqual(list(parallel.counts), list(serial.counts))  # the rules' order


@time_machine.travel("2026-11-22 10:00 +0800", tick=False)
class ExportTests(AnjuTestCase):
    def test_the_findings_export_asks_why_and_records_it(self):
        archive(row(1, **{"有无卫生厕所": "无"}))
        found("NO_TOILET")
        self.login(self.carol)
        asked = self.client.get(reverse("crosscheck:export"), {"rule": "NO_TOILET"})
        self.assertContains(asked, "导出用途")
        self.assertContains(asked, "?rule=NO_TOILET")  # the filters are kept
        response = self.client.post(
            reverse("crosscheck:export") + "?rule=NO_TOILET", {"reason": "整改督办"}
        )
        from anju.reporting.reader import load

        grid = load(b"".join(response.streaming_content))
        self.assertIn("用途：整改督办", grid.rows[0][0])
        self.assertNotIn(rid(1), [v for r in grid.rows for v in r])  # masked
        entry = AuditEntry.objects.get(action="export", object_type="crosscheck.finding")
        self.assertIn("整改督办", str(entry.changes))
