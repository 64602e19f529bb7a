"""Reads from a streaming read replica (ANJU_DATABASE_REPLICA_URL, docs/cluster.md).

Only with a replica configured do the router and the middleware take part (settings adds both);
without one every query goes to the one database, as before.

What goes to the replica: the reads of a GET (or HEAD) request for one of the pages below (lists,
the overview, the cross-check's pages) and of an export (a POST, since it asks for a reason and
writes an audit entry: that entry goes to the primary like every write), of the domain's own
tables (households, clues, reports, …). Everything else reads the primary:

- every write, and every read inside a transaction (`atomic`) — what a write decides on;
- the tables that say who someone is and what they may do (users and their roles, sessions,
  lockouts, second-factor devices, API tokens, the task queue, the audit chain): a login or a
  new role must hold on the next request, whichever server serves it and however far the
  replica lags;
- read-your-writes: a user who has just written (any POST, PUT, PATCH or DELETE that did not
  fail) reads from the primary for REPLICA_STICKY_SECONDS afterwards, so the list they return
  to shows the row they just saved. The time of the write is kept in a cookie, so it holds on
  every app server behind the proxy; forging it only sends that browser's reads to the primary.
- the background worker and the command line: no request, so nothing is routed at all.
"""

import re
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
WROTE_COOKIE = "anju_wrote"

# GET pages whose reads may be a few seconds old: lists, the overview, exports, cross-check.
REPLICA_PAGES = re.compile(
    r"^/(?:"
    r"households/(?:export\.xlsx|visits/|changes/|plates/)?"
    r"|overview/"
    r"|crosscheck/(?:export\.xlsx|runs/)?"
    r"|clues/(?:export\.xlsx|items/|items/export\.xlsx)?"
    r")$"
)
# Exports: POSTed (the reason for the export, CSRF), but they read and only audit.
EXPORTS = re.compile(r"^/(?:households|crosscheck|clues|clues/items)/export\.xlsx$")
# The apps whose tables the replica serves (the rest is read from the primary, above).
REPLICA_APPS = frozenset(
    {
        "regions",
        "reporting",
        "oversight",
        "households",
        "crosscheck",
        "portal",
        "dashboard",
        "assessments",
        "cadres",
        "spotchecks",
        "campaigns",
        "workbench",
    }
)

_reads_replica: ContextVar[bool] = ContextVar("anju_reads_replica", default=False)


def reading_replica() -> bool:
    """Whether this request's eligible reads go to the replica."""
    return _reads_replica.get()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reads_replica.get() or model._meta.app_label not in REPLICA_APPS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY  # a read inside a write transaction decides the write
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two ways to read it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def _wrote_recently(request) -> bool:
    try:
        wrote = float(request.COOKIES.get(WROTE_COOKIE, ""))
    except ValueError:
        return False
    # Either way round: the write may have been stamped by another server whose clock runs a
    # little ahead of this one's (a forged time only sends that browser's reads to the primary).
    return abs(time.time() - wrote) < settings.REPLICA_STICKY_SECONDS


class ReplicaMiddleware:
    """Decides per request whether its eligible reads go to the replica, and marks a writer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        export = request.method == "POST" and EXPORTS.match(request.path_info) is not None
        replica = (
            export or (request.method in ("GET", "HEAD") and REPLICA_PAGES.match(request.path_info))
        ) and not _wrote_recently(request)
        token = _reads_replica.set(replica)
        try:
            response = self.get_response(request)
        finally:
            _reads_replica.reset(token)
        wrote = request.method not in ("GET", "HEAD", "OPTIONS") and not export
        if wrote and response.status_code < 400:
            response.set_cookie(
                WROTE_COOKIE,
                f"{time.time():.3f}",
                max_age=max(settings.REPLICA_STICKY_SECONDS, 1),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
