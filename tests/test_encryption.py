"""Personal data at rest: what a raw read of the database shows, what tampering does, look-ups
through the blind index, and key rotation (`anju rekey`)."""

import base64
import csv
import io
import os
import secrets
from datetime import date
from decimal import Decimal
from unittest import mock

from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from anju.crosscheck.models import Finding, ReferenceRecord
from anju.crosscheck.references import import_reference
from anju.crypto import Misplaced, keyring, reset_keys
from anju.households.changes import change_decide, change_propose
from anju.households.imports import import_households
from anju.households.models import ChangeRequest, Household, Person
from anju.households.renovations import payment_record
from anju.households.services import household_create, person_add
from anju.households.visits import visit_record
from anju.oversight.choices import Disposal
from anju.oversight.services import (
    PersonInput,
    clue_assign,
    clue_dispose,
    clue_register,
    clue_start_verification,
    clue_update,
)
from anju.portal.models import PublicReport
from anju.regions.models import Region
from anju.rekey import rekey
from anju.reporting.models import Contact
from anju.reporting.services import contact_set
from tests.base import AnjuTestCase
from tests.crosscheck.helpers import found
from tests.households.files import rid, row, xlsx

ACCOUNT = "6217001234567890"
NEW_ACCOUNT = "6228480402564890018"
MOBILE = "13905971234"
REPORTER_PHONE = "13800138000"
MEMBER = rid(7, year=1985)
ENTERED = rid(8, year=1961)
LISTED = rid(9, year=1940)
# ID numbers staff and the public type into free text (a clue's 关联档案, its summary, notes).
LINKED = rid(11, year=1972)
IN_SUMMARY = rid(12, year=1973)
IN_REPORT = rid(13, year=1974)
IN_NOTE = rid(14, year=1975)
OLD_FORM = "350881760101015"  # the 15-digit form (of 350881197601010150-ish)
FREE_TEXT_IDS = [LINKED, IN_SUMMARY, IN_REPORT, IN_NOTE, OLD_FORM]


def key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def every_text_cell() -> list[tuple[str, str, str]]:
    """(table, column, text) for every value of every column of every table, bytes decoded."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            names = [d[0] for d in cursor.description]
            for values in cursor.fetchall():
                for name, value in zip(names, values, strict=True):
                    if isinstance(value, bytes | memoryview):
                        raw = bytes(value)
                        value = raw.decode("latin-1") + raw.decode("utf-8", "replace")
                    if value is not None:
                        cells.append((table, name, str(value)))
    return cells


class SealedData(AnjuTestCase):
    """An archive through the real paths: the import, the staff services, a department's list,
    a cross-check run, the portal and the Annex 3 contacts."""

    def build(self):
        result = import_households(
            actor="test",
            data=xlsx([row(1, 一卡通账号=ACCOUNT), row(2), row(3)]),
            file_name="a.xlsx",
        )
        self.assertTrue(result.ok, result.errors)
        village = Region.objects.get(code="350881100203")
        entered = household_create(
            actor=self.alice,
            region=village,
            head_name="林木",
            head_id=ENTERED,
            size=2,
            categories=[],
            structure="brick_wood",
        )
        first = Household.objects.get(head_id=rid(1))
        person_add(actor=self.alice, household=first, name="妻", id_number=MEMBER, relation="配偶")
        payment_record(
            actor=self.alice,
            renovation=first.renovations.get(),
            paid_on=date(2019, 10, 20),
            amount_fen=4_000_000,
            account_number="6217009999999999",
            account_holder="别人",
        )
        request = change_propose(
            actor=self.alice,
            household=first,
            field="account_number",
            new_value=NEW_ACCOUNT,
            reason="换卡",
        )
        change_decide(actor=self.rita, request=request, approve=True)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["姓名", "身份证号", "残疾类别", "残疾等级"])
        writer.writerow(["陈老", LISTED, "视力", "一级"])
        writer.writerow(["农户2", rid(2), "肢体", "二级"])
        reference = import_reference(
            actor="test",
            kind="disabled",
            data=out.getvalue().encode(),
            file_name="d.csv",
            region=Region.objects.get(code="350800000000"),
        )
        self.assertTrue(reference.ok, reference.errors)
        contact_set(
            actor=self.carol,
            region=Region.objects.get(code="350881000000"),
            role="director",
            name="张局长",
            unit_post="住建局局长",
            mobile=MOBILE,
        )
        self.build_clue(first)
        return entered

    def build_clue(self, household):
        """A clue naming IDs in its 关联档案 and summary, edited, moved on with a note, and a
        follow-up visit and a problem-list line with an ID typed into their notes."""
        clue, _ = clue_register(
            actor=self.carol,
            region=Region.objects.get(code="350881100000"),
            place="新桥镇",
            source_channel="petition",
            received_on=date(2026, 10, 5),
            category="funds",
            summary=f"户主（身份证{IN_SUMMARY}）反映补助被截留",
            funds=Decimal(1),
            persons=[PersonInput("李某", "村主任", "village")],
            links=f"户主身份证号{LINKED}，2019年度",
            confirm_new=True,
        )
        clue = clue_update(
            actor=self.carol,
            clue=clue,
            version=clue.version,
            summary=clue.summary + f"，另涉{OLD_FORM}",
            funds=Decimal(1),
            category="funds",
            place="新桥镇",
            links=clue.links + f"；{LINKED}",
        )
        clue_assign(actor=self.carol, clue=clue, version=clue.version, handling_unit="镇纪委")
        clue_start_verification(actor=self.carol, clue=clue, version=clue.version)
        clue_dispose(
            actor=self.carol,
            clue=clue,
            version=clue.version,
            disposal=Disposal.values[0],
            note=f"核实{IN_NOTE}属实",
        )
        visit_record(
            actor=self.alice,
            household=household,
            visited_on=date(2026, 10, 6),
            findings=[],
            note=f"户主{IN_NOTE}不在家",
        )
        return clue


class RawReadTests(SealedData):
    def test_it_shows_no_id_account_phone_or_disability_in_any_column_of_any_table(self):
        self.build()
        found("PAYMENT_ACCOUNT")  # findings carry IDs in their fingerprint and evidence
        found("INVALID_ID")
        cache.clear()
        place = {"county": "350881000000", "township": "350881100000", "village": "350881100203"}
        self.client.get(reverse("portal:report"), place)
        answer = self.client.session["portal_answer"]
        self.client.post(
            reverse("portal:report"),
            {
                **place,
                "kind": "funds",
                "description": f"补助被代领，身份证{IN_REPORT}。",
                "answer": answer,
                "name": "王秀英",
                "phone": REPORTER_PHONE,
            },
        )
        self.assertTrue(Finding.objects.filter(rule="PAYMENT_ACCOUNT").exists())
        secrets_ = [rid(1), rid(2), rid(3), MEMBER, ENTERED, LISTED, ACCOUNT, NEW_ACCOUNT]
        secrets_ += ["6217009999999999", MOBILE, REPORTER_PHONE, "视力", "一级", "肢体"]
        secrets_ += FREE_TEXT_IDS  # a clue's 关联档案 and summary, a report, notes
        self.assertTrue(PublicReport.objects.filter(description__contains="身份证").exists())
        cells = every_text_cell()
        self.assertGreater(len(cells), 500)
        leaks = [(t, c) for t, c, text in cells for s in secrets_ if s in text]
        self.assertEqual(leaks, [])
        # ... while the application reads them in full.
        self.assertEqual(Household.objects.get(head_id=rid(1)).account_number, NEW_ACCOUNT)
        self.assertEqual(Contact.objects.get().mobile, MOBILE)
        self.assertEqual(
            sorted(ReferenceRecord.objects.values_list("detail", flat=True)),
            ["肢体 二级", "视力 一级"],
        )
        self.assertEqual(Contact.objects.get().mobile_masked, "139****1234")

    def test_the_sealed_columns_hold_version_key_id_nonce_and_tag(self):
        self.build()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT head_id, head_id_digest, head_id_masked FROM households_household"
                " WHERE id = %s",
                [Household.objects.get(head_id=rid(1)).pk],
            )
            blob, digest, masked = cursor.fetchone()
        blob = bytes(blob)
        self.assertEqual(blob[:1], b"\x02")
        self.assertEqual(len(blob), 1 + 4 + 12 + 18 + 16)
        self.assertRegex(digest, r"^[0-9a-f]{32}$")
        self.assertEqual(masked, rid(1)[:6] + "********" + rid(1)[-4:])


class TamperTests(SealedData):
    def raw(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def test_an_altered_ciphertext_does_not_decrypt(self):
        self.build()
        (pk, blob), *_ = self.raw("SELECT id, head_id FROM households_household ORDER BY id")
        blob = bytearray(bytes(blob))
        blob[-1] ^= 1
        self.raw("UPDATE households_household SET head_id = %s WHERE id = %s", [bytes(blob), pk])
        with self.assertRaises(InvalidTag):
            Household.objects.get(pk=pk)

    def test_a_ciphertext_moved_to_another_column_does_not_decrypt(self):
        self.build()
        head = Household.objects.get(head_id=rid(1))
        (blob,) = self.raw(
            "SELECT id_number FROM households_person WHERE household_id = %s AND relation = %s",
            [head.pk, "户主"],
        )[0]
        self.raw("UPDATE households_household SET head_id = %s WHERE id = %s", [blob, head.pk])
        with self.assertRaises(InvalidTag):
            Household.objects.get(pk=head.pk)

    def test_a_ciphertext_moved_to_another_row_is_refused(self):
        self.build()
        one, two = Household.objects.get(head_id=rid(1)), Household.objects.get(head_id=rid(2))
        (blob,) = self.raw("SELECT head_id FROM households_household WHERE id = %s", [one.pk])[0]
        self.raw("UPDATE households_household SET head_id = %s WHERE id = %s", [blob, two.pk])
        with self.assertRaises(Misplaced):
            Household.objects.get(pk=two.pk)
        with self.assertRaises(Misplaced):  # nor does rekey launder it
            rekey(actor="test")


class LookupTests(SealedData):
    def test_search_by_full_id_finds_the_household_through_the_blind_index(self):
        self.build()
        query = Household.objects.filter(head_id=rid(2)).query
        self.assertNotIn(rid(2), str(query))
        self.assertIn("head_id_digest", str(query))
        self.login(self.alice)
        page = self.client.get(reverse("households:list"), {"q": rid(2).lower()})
        self.assertContains(page, "农户2")
        self.assertNotContains(page, "农户3")
        self.assertNotContains(page, rid(2))  # shown masked

    def test_unmasking_decrypts_for_the_role_that_may(self):
        entered = self.build()
        self.login(self.carol)
        page = self.client.post(reverse("households:unmask", args=[entered.pk]))
        self.assertContains(page, ENTERED)

    def test_people_of_a_household_are_found_by_id(self):
        self.build()
        person = Person.objects.get(id_number=MEMBER)
        self.assertEqual(person.name, "妻")
        self.assertEqual(person.id_number_masked, MEMBER[:6] + "********" + MEMBER[-4:])
        self.assertEqual(ChangeRequest.objects.get().new_value, NEW_ACCOUNT)


class RekeyTests(SealedData):
    def setUp(self):
        self.addCleanup(reset_keys)

    def values(self):
        return (
            sorted(Household.objects.values_list("head_id", "account_number")),
            sorted(Person.objects.values_list("id_number", flat=True)),
            sorted(ReferenceRecord.objects.values_list("id_number", "detail")),
            list(Contact.objects.values_list("mobile", flat=True)),
        )

    def test_it_moves_everything_to_the_new_key_and_is_idempotent(self):
        old = base64.b64encode(keyring().current).decode()
        with mock.patch.dict(os.environ, {"ANJU_FIELD_KEY": old}):
            reset_keys()
            self.build()
            found("PAYMENT_ACCOUNT")
            before = self.values()
            findings = sorted(Finding.objects.values_list("rule", "id_number"))
            digest = Household.objects.get(head_id=rid(1)).head_id_digest
        new = key()
        with mock.patch.dict(os.environ, {"ANJU_FIELD_KEY": new, "ANJU_FIELD_KEYS_OLD": old}):
            reset_keys()
            rewritten = rekey(actor="test")
            self.assertGreater(rewritten["households_household"], 0)
            self.assertGreater(rewritten["crosscheck_referencerecord"], 0)
            self.assertEqual(sum(rekey(actor="test").values()), 0)  # run again: nothing to do
        with mock.patch.dict(os.environ, {"ANJU_FIELD_KEY": new}):  # the old key retired
            reset_keys()
            self.assertEqual(self.values(), before)
            one = Household.objects.get(head_id=rid(1))  # search works under the new index
            self.assertNotEqual(one.head_id_digest, digest)
            found("PAYMENT_ACCOUNT")  # the same findings, found again, none new
            self.assertEqual(sorted(Finding.objects.values_list("rule", "id_number")), findings)
            self.assertEqual(set(Finding.objects.values_list("times_found", flat=True)), {2})

    def test_a_separate_index_key_survives_a_field_key_rotation(self):
        index = key()
        with mock.patch.dict(os.environ, {"ANJU_FIELD_KEY": key(), "ANJU_INDEX_KEY": index}):
            reset_keys()
            self.build()
            digests = sorted(Person.objects.values_list("id_number_digest", flat=True))
            old = os.environ["ANJU_FIELD_KEY"]
        with mock.patch.dict(
            os.environ,
            {"ANJU_FIELD_KEY": key(), "ANJU_FIELD_KEYS_OLD": old, "ANJU_INDEX_KEY": index},
        ):
            reset_keys()
            rekey(actor="test")
            self.assertEqual(
                sorted(Person.objects.values_list("id_number_digest", flat=True)), digests
            )
        with mock.patch.dict(os.environ, {"ANJU_FIELD_KEY": old, "ANJU_INDEX_KEY": index}):
            reset_keys()
            with self.assertRaises(ValueError):  # the new key's ciphertexts need the new key
                list(Person.objects.all())

    def test_every_sealed_model_is_covered(self):
        sealed = {
            m._meta.db_table
            for m in apps.get_models()
            if any(f.get_internal_type() == "BinaryField" for f in m._meta.concrete_fields)
        }
        from anju.rekey import tables

        covered = {t.name for t in tables()}
        self.assertLessEqual(covered, sealed | {"portal_publicreport"})  # nothing imaginary
        self.assertTrue(
            {
                "households_household",
                "households_person",
                "households_payment",
                "households_changerequest",
                "crosscheck_referencerecord",
                "crosscheck_finding",
                "reporting_contact",
                "portal_publicreport",
                "accounts_sealedtotpdevice",
            }
            <= covered
        )
