"""Clerks registering at the same moment each get their own ledger number (found by
bench/load.py: on PostgreSQL two registrations read the same last number, and the second one
failed with a 500)."""

import threading

from django.db import connections
from django.test import TransactionTestCase

from anju.oversight.models import Clue
from tests.base import make_cast, make_regions
from tests.oversight.helpers import register


class ConcurrentRegistrationTests(TransactionTestCase):
    def test_it_numbers_clues_registered_at_once_without_a_clash(self):
        make_regions()
        carol = make_cast()["carol"]
        errors = []

        def clerk(n: int) -> None:
            try:
                for i in range(4):
                    register(
                        carol, summary=f"并发登记{n}号第{i}件：危改资金被挪用", names=(f"某{n}{i}",)
                    )
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=clerk, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        numbers = list(Clue.objects.values_list("number", flat=True))
        self.assertEqual(len(numbers), 24)
        self.assertEqual(len(set(numbers)), 24)
