"""The field pages that work without a network (issue 29, point 5), server side: the one service
worker script (anju/static/anju/sw.js) served under each offline page's scope, and the answers
to what the phone's queue (anju/static/anju/offline.js) sends.

A queued POST carries the header below and an idempotency key; it is answered in JSON (the
queue cannot follow a redirect to a page): {"ok": true, ...} once saved (or already saved under
that key), else {"ok": false, "message": ...} with 409 when the server no longer lets this user
write there (the phone keeps it, with the message, until the user dismisses it) or 400 when
what was entered is refused."""

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

QUEUED = "X-Anju-Queue"
# The logout response: the browser drops the pages kept for offline use, the phone's queue
# (IndexedDB) and the service workers, so the next person on a shared phone finds nothing.
CLEAR_SITE_DATA = '"cache", "storage"'


def is_queued(request: HttpRequest) -> bool:
    return request.headers.get(QUEUED) == "1"


def queue_key(request: HttpRequest) -> str:
    return request.POST.get("key", "").strip()[:64]


def saved(**facts) -> JsonResponse:
    return JsonResponse({"ok": True, **facts})


def refused(message: str, *, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message}, status=status)


def service_worker() -> HttpResponse:
    """The worker script from our own static files (no CDN), to be served under the scope it
    controls (a script under /static/ could only control /static/)."""
    script = (Path(__file__).resolve().parent / "static" / "anju" / "sw.js").read_text(
        encoding="utf-8"
    )
    response = HttpResponse(
        script.replace("/static/", settings.STATIC_URL), content_type="text/javascript"
    )
    response["Cache-Control"] = "no-cache"
    return response
