"""The import's fast path keeps every guarantee: key order, all or nothing when the database
refuses a row, the page cache and the garbage collector put back as they were."""

import gc
from unittest import mock, skipUnless

from django.db import IntegrityError, connection

from anju.audit.models import AuditEntry
from anju.households import imports
from anju.households.models import (
    Assessment,
    CategoryRecord,
    House,
    Household,
    ImportBatch,
    Person,
    Renovation,
)
from anju.tabular import inserts
from tests.base import AnjuTestCase
from tests.households.files import rid, row, xlsx


def cache_size() -> int | None:
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]


class KeyOrderTests(AnjuTestCase):
    def test_it_gives_new_households_keys_in_blind_index_order_and_children_follow(self):
        numbers = [7, 3, 9, 1, 5]
        result = imports.import_households(
            actor="t",
            data=xlsx([row(n, **{"户主身份证号": rid(n)}) for n in numbers]),
            file_name="a.xlsx",
        )
        self.assertTrue(result.ok, result.errors)
        # In the order of the IDs' blind index, which is what the ID indexes hold.
        by_key = list(Household.objects.order_by("pk").values_list("head_id_digest", flat=True))
        self.assertEqual(by_key, sorted(by_key))
        self.assertEqual(len(by_key), len(numbers))
        # The new houses of accepted rebuilds are written after the old ones, in key order too.
        for model, path, rows in [
            (Person, "household__head_id_digest", Person.objects.all()),
            (House, "household__head_id_digest", House.objects.filter(is_new=False)),
            (House, "household__head_id_digest", House.objects.filter(is_new=True)),
            (Renovation, "household__head_id_digest", Renovation.objects.all()),
            (Assessment, "house__household__head_id_digest", Assessment.objects.all()),
        ]:
            heads = list(rows.order_by("pk").values_list(path, flat=True))
            self.assertEqual(heads, sorted(heads), model.__name__)
        self.assertEqual(CategoryRecord.objects.values("household").distinct().count(), 5)


class FailedWriteTests(AnjuTestCase):
    def test_a_database_error_while_writing_rolls_back_everything_and_surfaces(self):
        first = imports.import_households(actor="t", data=xlsx([row(1)]), file_name="a.xlsx")
        taken = Household.objects.get().pk
        audits = AuditEntry.objects.count()
        real = inserts.reserve_ids

        def colliding(model, count):
            keys = real(model, count)
            return [taken, *keys[1:]] if model is Household else keys

        with (
            mock.patch.object(imports, "reserve_ids", side_effect=colliding),
            self.assertRaises(IntegrityError),
        ):
            imports.import_households(
                actor="t", data=xlsx([row(n) for n in range(2, 40)]), file_name="b.xlsx"
            )
        self.assertEqual(Household.objects.count(), 1)
        self.assertEqual(Person.objects.count(), 1)
        self.assertEqual(Renovation.objects.count(), 1)
        self.assertEqual(list(ImportBatch.objects.all()), [first.batch])
        self.assertEqual(AuditEntry.objects.count(), audits)


class SettingsPutBackTests(AnjuTestCase):
    def test_it_restores_the_page_cache_and_the_collector_after_an_import(self):
        before = cache_size()
        self.assertTrue(gc.isenabled())
        seen = []
        real = imports.insert_rows

        def watching(*args, **kwargs):
            if not seen:
                seen.append((cache_size(), gc.isenabled()))
            return real(*args, **kwargs)

        with mock.patch.object(imports, "insert_rows", side_effect=watching):
            result = imports.import_households(
                actor="t", data=xlsx([row(1), row(2)]), file_name="a.xlsx"
            )
        self.assertTrue(result.ok, result.errors)
        during_cache, during_gc = seen[0]
        self.assertFalse(during_gc)
        self.assertTrue(gc.isenabled())
        self.assertEqual(cache_size(), before)
        if connection.vendor == "sqlite":
            self.assertEqual(during_cache, -inserts.BULK_CACHE_KIB)
            self.assertNotEqual(before, during_cache)

    def test_they_are_restored_after_a_failed_import_too(self):
        before = cache_size()
        with (
            mock.patch.object(imports, "insert_rows", side_effect=RuntimeError("boom")),
            self.assertRaisesRegex(RuntimeError, "boom"),
        ):
            imports.import_households(actor="t", data=xlsx([row(1)]), file_name="a.xlsx")
        self.assertEqual(cache_size(), before)
        self.assertTrue(gc.isenabled())
        self.assertFalse(Household.objects.exists())


def counted(model) -> float:
    """What PostgreSQL's planner believes the table holds (pg_class.reltuples; -1 never counted)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table]
        )
        return cursor.fetchone()[0]


def batches(count: int, first: int = 0):
    return ((f"f{n}.csv", f"{n:064x}", n, "t") for n in range(first, first + count))


@skipUnless(connection.vendor == "postgresql", "PostgreSQL only: the planner's statistics")
class StatisticsTests(AnjuTestCase):
    """A bulk write refreshes the statistics at once, inside its transaction: with those of an
    empty table, the province demo's overview recount ran one sequential scan per household."""

    columns = ["file_name", "sha256", "rows", "actor_name"]

    def test_a_large_write_is_counted_before_its_transaction_ends(self):
        count = inserts.ANALYZE_ROWS * 2
        self.assertEqual(inserts.insert_rows(ImportBatch, self.columns, batches(count)), count)
        self.assertGreaterEqual(counted(ImportBatch), count)

    def test_a_small_write_into_a_counted_table_leaves_the_count(self):
        inserts.insert_rows(ImportBatch, self.columns, batches(inserts.ANALYZE_ROWS * 2))
        before = counted(ImportBatch)
        inserts.insert_rows(ImportBatch, self.columns, batches(10, first=10**6))
        self.assertEqual(counted(ImportBatch), before)
