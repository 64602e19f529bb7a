"""Which reads go to the read replica (anju.replica): the router and the middleware, on their
own. tests/test_cluster.py proves it against a real streaming replica on PostgreSQL."""

import time

import time_machine
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase, TransactionTestCase

from anju import replica
from anju.accounts.models import User
from anju.households.models import Household


def seen_through(request_factory_call, *, status=200):
    """Run a request through the middleware; what the router said for a household read and a
    user read inside the view, and the response."""
    said = {}

    def view(request):
        router = replica.ReplicaRouter()
        said["household"] = router.db_for_read(Household)
        said["user"] = router.db_for_read(User)
        return HttpResponse(status=status)

    response = replica.ReplicaMiddleware(view)(request_factory_call)
    return said, response


class MiddlewareTests(SimpleTestCase):
    def setUp(self):
        self.rf = RequestFactory()

    def test_a_list_page_reads_the_domain_from_the_replica_and_users_from_the_primary(self):
        said, _ = seen_through(self.rf.get("/households/"))
        self.assertEqual(said, {"household": "replica", "user": "default"})

    def test_a_households_own_page_reads_the_primary(self):
        said, _ = seen_through(self.rf.get("/households/12/"))
        self.assertEqual(said["household"], "default")

    def test_an_export_post_reads_the_replica_and_marks_no_write(self):
        said, response = seen_through(self.rf.post("/households/export.xlsx", {"reason": "核对"}))
        self.assertEqual(said["household"], "replica")
        self.assertNotIn(replica.WROTE_COOKIE, response.cookies)

    def test_a_write_marks_the_browser_and_its_next_reads_go_to_the_primary(self):
        # The clock stands still: the read comes "just after" the write however busy the
        # machine (the expiry has its own test below).
        self.enterContext(time_machine.travel(time.time(), tick=False))
        said, response = seen_through(self.rf.post("/households/new/", {}), status=302)
        self.assertEqual(said["household"], "default")
        cookie = response.cookies[replica.WROTE_COOKIE]
        after = self.rf.get("/households/")
        after.COOKIES[replica.WROTE_COOKIE] = cookie.value
        self.assertEqual(seen_through(after)[0]["household"], "default")

    def test_a_refused_write_marks_nothing(self):
        _, response = seen_through(self.rf.post("/households/new/", {}), status=403)
        self.assertNotIn(replica.WROTE_COOKIE, response.cookies)

    def test_a_write_stamped_by_a_server_whose_clock_runs_ahead_still_counts(self):
        after = self.rf.get("/households/")
        after.COOKIES[replica.WROTE_COOKIE] = f"{time.time() + 2:.3f}"
        self.assertEqual(seen_through(after)[0]["household"], "default")

    def test_an_old_write_no_longer_keeps_the_reads_on_the_primary(self):
        after = self.rf.get("/households/")
        after.COOKIES[replica.WROTE_COOKIE] = f"{time.time() - 60:.3f}"
        self.assertEqual(seen_through(after)[0]["household"], "replica")

    def test_without_a_request_everything_reads_the_primary(self):
        self.assertEqual(replica.ReplicaRouter().db_for_read(Household), "default")

    def test_writes_and_migrations_go_to_the_primary(self):
        router = replica.ReplicaRouter()
        self.assertEqual(router.db_for_write(Household), "default")
        self.assertFalse(router.allow_migrate("replica", "households"))
        self.assertTrue(router.allow_migrate("default", "households"))


class TransactionTests(TransactionTestCase):
    def test_a_read_inside_a_write_transaction_goes_to_the_primary(self):
        said = {}

        def view(request):
            router = replica.ReplicaRouter()
            said["outside"] = router.db_for_read(Household)
            with transaction.atomic():
                said["inside"] = router.db_for_read(Household)
            return HttpResponse()

        replica.ReplicaMiddleware(view)(RequestFactory().get("/households/"))
        self.assertEqual(said, {"outside": "replica", "inside": "default"})
