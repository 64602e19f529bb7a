"""A department's data clerk sees and sends only their own department's kinds of list, with a
blank template for each, made from the list import's own headers."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from anju.accounts.models import Role, Unit
from anju.crosscheck.access import reference_kinds_for
from anju.crosscheck.choices import Kind
from anju.crosscheck.models import ReferenceList
from anju.crosscheck.references import import_reference, parse_reference
from tests.base import AnjuTestCase, make_user
from tests.households.files import rid


def upload(kind: str, body: str) -> dict:
    return {"kind": kind, "file": SimpleUploadedFile("名单.csv", body.encode())}


class DepartmentKindsTests(AnjuTestCase):
    def setUp(self):
        self.civil = make_user("minzheng", Role.DATA_PROVIDER, "350881000000", unit="漳平市民政局")

    def test_a_clerk_of_a_registered_unit_brings_that_units_lists(self):
        """The unit registered by the security administrator decides, whatever the free-text
        unit says (a finance clerk whose text names 民政局 still brings payments only)."""
        finance = Unit.objects.create(name="漳平市财政局", kind="finance", region_id="350881000000")
        clerk = make_user(
            "caizheng", Role.DATA_PROVIDER, "350881000000", unit="漳平市民政局", work_unit=finance
        )
        self.assertEqual(reference_kinds_for(clerk), ["payments"])
        veterans = Unit.objects.create(
            name="漳平市退役军人事务局", kind="veterans", region_id="350881000000"
        )
        clerk.work_unit = veterans
        self.assertEqual(reference_kinds_for(clerk), ["veterans"])
        housing = Unit.objects.create(name="漳平市住建局", kind="housing", region_id="350881000000")
        clerk.work_unit = housing
        self.assertEqual(reference_kinds_for(clerk), [])

    def test_the_clerk_is_offered_only_the_kinds_of_their_department(self):
        self.assertEqual(
            set(reference_kinds_for(self.civil)), {"deaths", "subsistence", "extreme-poor"}
        )
        self.assertEqual(set(reference_kinds_for(self.carol)), set(Kind.values))
        nobody = make_user("nodept", Role.DATA_PROVIDER, "350881000000", unit="数据科")
        self.assertEqual(reference_kinds_for(nobody), [])
        self.login(self.civil)
        page = self.client.get(reverse("crosscheck:lists"))
        offered = [k for k, _ in page.context["form"].fields["kind"].choices]
        self.assertEqual(offered, ["deaths", "subsistence", "extreme-poor"])
        self.assertContains(page, reverse("crosscheck:list_template", args=["subsistence"]))
        self.assertNotContains(page, reverse("crosscheck:list_template", args=["poverty"]))
        self.login(nobody)
        self.assertContains(self.client.get(reverse("crosscheck:lists")), "没有写明所属部门")

    def test_another_departments_kind_is_refused_on_the_page_and_in_the_service(self):
        self.login(self.civil)
        body = f"姓名,身份证号,识别日期\n甲,{rid(1)},2019-03-05\n"
        page = self.client.post(reverse("crosscheck:lists"), upload("poverty", body))
        self.assertEqual(page.status_code, 200)
        self.assertIn("kind", page.context["form"].errors)
        result = import_reference(
            actor=self.civil,
            kind="poverty",
            data=body.encode(),
            file_name="x.csv",
            region=self.regions["350881000000"],
        )
        self.assertFalse(result.ok)
        self.assertIn("不报送该类名单", result.errors[0].message)
        self.assertFalse(ReferenceList.objects.exists())

    def test_the_clerk_sees_only_their_own_kinds_of_list(self):
        region = self.regions["350881000000"]
        for kind, header in (("poverty", "识别日期"), ("subsistence", "起始日期")):
            import_reference(
                actor="t",
                kind=kind,
                data=f"姓名,身份证号,{header}\n甲,{rid(1)},2019-03-05\n".encode(),
                file_name="x.csv",
                region=region,
            )
        self.login(self.civil)
        shown = self.client.get(reverse("crosscheck:lists")).context["page"].object_list
        self.assertEqual([lst.kind for lst in shown], ["subsistence"])

    def test_each_template_is_read_back_by_the_lists_import(self):
        self.login(self.carol)
        for kind in Kind.values:
            with self.subTest(kind=kind):
                response = self.client.get(reverse("crosscheck:list_template", args=[kind]))
                self.assertEqual(response.status_code, 200)
                book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
                self.assertEqual(book.sheet_names[1], "填写说明")
                header = book.get_sheet_by_index(0).to_python()[0]
                # A row filled under the template's header is read with every column found.
                values = {
                    "姓名": "甲",
                    "身份证号": rid(1),
                    "金额(元)": "100",
                    "账号": "6217001234567890",
                }
                row = [values.get(h, "2019-03-05" if "日期" in h else "") for h in header]
                csv = ",".join(header) + "\n" + ",".join(row) + "\n"
                entries, errors, _ = parse_reference(kind, csv.encode())
                self.assertEqual(errors, [])
                self.assertEqual(entries[0].id_number, rid(1))
        self.login(self.civil)
        refused = self.client.get(reverse("crosscheck:list_template", args=["poverty"]))
        self.assertEqual(refused.status_code, 404)
        own = self.client.get(reverse("crosscheck:list_template", args=["deaths"]))
        self.assertEqual(own.status_code, 200)
