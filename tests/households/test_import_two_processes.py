"""A large archive's rows are checked and sealed in two processes (anju.tabular.parallel): the
result is the import of one process, row errors from both halves in row order, every
ciphertext with a nonce of its own, and no child left behind whatever happens."""

import os
import threading
import time
from unittest import mock, skipUnless

from django.db import connection

from anju.crypto import BulkSealer
from anju.households.imports import import_households
from anju.households.models import Household, Person, Renovation
from anju.tabular import parallel
from tests.base import AnjuTestCase
from tests.households.files import HEADER, rid, row, xlsx

forks = skipUnless(hasattr(os, "fork"), "needs os.fork")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@forks
class HalvesTests(AnjuTestCase):
    def test_the_second_half_runs_in_a_child_and_the_results_come_back_in_order(self):
        def work(part, here):
            return os.getpid(), here, [n * n for n in part]

        (mine, here_first, first), (theirs, here_second, second) = parallel.halves(
            work, list(range(10)), min_items=2
        )
        self.assertEqual(first + second, [n * n for n in range(10)])
        self.assertEqual(mine, os.getpid())
        self.assertNotEqual(theirs, os.getpid())
        self.assertEqual((here_first, here_second), (True, False))
        self.assertTrue(gone(theirs))

    def test_small_inputs_stay_in_this_process(self):
        results = parallel.halves(lambda part, here: (os.getpid(), list(part)), [1, 2, 3])
        self.assertEqual(results, [(os.getpid(), [1, 2, 3])])

    def test_a_process_running_other_threads_does_not_fork(self):
        # A fork copies only the calling thread; a lock held by another stays held in the child.
        release = threading.Event()
        other = threading.Thread(target=release.wait)
        other.start()
        try:
            self.assertFalse(parallel.can_fork())
            results = parallel.halves(
                lambda part, here: (os.getpid(), here, list(part)), [1, 2, 3], min_items=2
            )
        finally:
            release.set()
            other.join()
        self.assertEqual(results, [(os.getpid(), True, [1, 2, 3])])
        self.assertTrue(parallel.can_fork())

    def test_a_child_that_hangs_is_killed_and_its_half_done_here(self):
        read_end, write_end = os.pipe()
        done_by = []

        def hangs(part, here):
            if not here:
                os.write(write_end, str(os.getpid()).encode())
                time.sleep(600)
            done_by.append(os.getpid())
            return list(part)

        began = time.monotonic()
        with mock.patch.object(parallel, "MIN_WAIT", 0.5):
            self.assertEqual(parallel.halves(hangs, [1, 2, 3, 4], min_items=2), [[1, 2], [3, 4]])
        self.assertLess(time.monotonic() - began, 30)
        self.assertEqual(done_by, [os.getpid(), os.getpid()])  # both halves here, in order
        child = int(os.read(read_end, 32))
        os.close(read_end)
        os.close(write_end)
        self.assertNotEqual(child, os.getpid())
        self.assertTrue(gone(child))

    def test_a_child_that_dies_or_raises_leaves_its_half_to_the_parent(self):
        def dies(part, here):
            if not here:
                os._exit(3)
            return list(part)

        self.assertEqual(parallel.halves(dies, [1, 2, 3, 4], min_items=2), [[1, 2], [3, 4]])

        def raises(part, here):
            if not here:
                raise ValueError("child only")
            return list(part)

        self.assertEqual(parallel.halves(raises, [1, 2, 3, 4], min_items=2), [[1, 2], [3, 4]])
        with parallel.Forked(lambda: 1 / 0) as child, self.assertRaises(parallel.ChildFailed) as e:
            child.result()
        self.assertIn("ZeroDivisionError", str(e.exception))

    def test_an_error_in_the_parent_reaps_the_child(self):
        big = list(range(300_000))  # more than a pipe holds: the child blocks writing it
        with self.assertRaises(RuntimeError), parallel.Forked(lambda: big) as child:
            pid = child.pid
            raise RuntimeError("parent fails before reading")
        self.assertTrue(gone(pid))

    def test_a_forked_child_never_reuses_the_parents_nonces(self):
        sealer = BulkSealer("households_person.id_number")
        sealer("350881195001011234")  # the pool of nonces is now filled in the parent
        with parallel.Forked(lambda: [sealer("x")[5:17] for _ in range(50)]) as child:
            theirs = child.result()
        mine = [sealer("x")[5:17] for _ in range(50)]
        self.assertEqual(len(set(theirs) | set(mine)), 100)


@forks
class TwoProcessImportTests(AnjuTestCase):
    def setUp(self):
        super().setUp()
        patcher = mock.patch.object(parallel, "MIN_ITEMS", 2)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_errors_of_both_halves_in_row_order_and_a_repeat_across_them(self):
        rows = [row(n) for n in range(1, 9)]
        # The data begins on row 4 (a title and a blank line above the header): rows 4-7 are
        # checked by this process, rows 8-11 by the child.
        rows[1][HEADER.index("危险等级")] = "E"  # row 5
        rows[6][HEADER.index("户主身份证号")] = "12345"  # row 10
        rows[7] = row(1)  # row 11 repeats row 4
        result = import_households(actor="t", data=xlsx(rows), file_name="a.xlsx")
        self.assertEqual(
            [(e.row, e.column) for e in result.errors],
            [(5, "危险等级"), (10, "户主身份证号"), (11, "改造年度")],
        )
        self.assertIn("与第 4 行重复", result.errors[-1].message)
        self.assertEqual(result.rows, 8)
        self.assertFalse(Household.objects.exists())

    def test_a_household_over_both_halves_and_every_sealed_value_its_own_nonce(self):
        # Each household its own account (equal values are sealed once, one ciphertext).
        rows = [row(n, **{"一卡通账号": f"62170012{n:08d}"}) for n in range(1, 8)]
        # The same household in row 4 and row 11 (the child checks rows 8-11): one household, its
        # particulars from the later year, two renovations.
        rows.append(
            row(
                1,
                **{
                    "改造年度": 2020,
                    "审批日期": "2020-04-01",
                    "户主姓名": "农户一",
                    "一卡通账号": "6217001299998888",
                },
            )
        )
        result = import_households(actor="t", data=xlsx(rows), file_name="a.xlsx")
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(Household.objects.count(), 7)
        household = Household.objects.get(head_id=rid(1))  # found by its blind index
        self.assertEqual(household.head_name, "农户一")
        self.assertEqual(household.account_number, "6217001299998888")
        self.assertEqual(
            sorted(Renovation.objects.filter(household=household).values_list("year", flat=True)),
            [2019, 2020],
        )
        # Every value decrypts to the ID its blind index names (from_db checks each row) ...
        heads = {h.head_id for h in Household.objects.all()}
        self.assertEqual(heads, {rid(n) for n in range(1, 8)})
        self.assertEqual({p.id_number for p in Person.objects.all()}, heads)
        # ... and no two ciphertexts share a nonce, whichever process sealed them.
        blobs = []
        with connection.cursor() as cursor:
            for table, column in [
                ("households_household", "head_id"),
                ("households_household", "account_number"),
                ("households_person", "id_number"),
            ]:
                cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 (names above)
                blobs += [value for (value,) in cursor.fetchall()]
        nonces = [bytes(b)[5:17] for b in blobs if b]
        self.assertEqual(len(nonces), 7 * 3)
        self.assertEqual(len(set(nonces)), len(nonces))

    def test_the_same_archive_as_one_process_would_write(self):
        rows = [row(n, **{"户主身份证号": rid(n, 1940 + n)}) for n in range(1, 13)]
        content = xlsx(rows)
        result = import_households(actor="t", data=content, file_name="a.xlsx")
        self.assertTrue(result.ok, result.errors)
        forked = self.snapshot()
        Household.objects.all().delete()
        with mock.patch.object(parallel, "MIN_ITEMS", 10**9):
            result = import_households(actor="t", data=content, file_name="a.xlsx")
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(self.snapshot(), forked)

    def snapshot(self):
        return sorted(
            (
                h.head_id,
                h.head_name,
                h.region_id,
                h.account_number,
                h.grades,
                h.category_codes,
                h.renovation_years,
                tuple(p.id_number for p in h.people.all()),
                tuple(
                    Renovation.objects.filter(household=h).values_list(
                        "year", "method", "subsidy_fen", "accepted_on"
                    )
                ),
            )
            for h in Household.objects.all()
        )
