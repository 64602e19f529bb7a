"""The API beside the page it mirrors: the household list for the county clerk (zp_clerk), as
JSON through /api/v1/households/ with a token and as HTML through /households/, same user, same
data, same process (Django test client), median and p95 of 40 calls each.

Alone: `python -m bench.api` (a fresh data dir with the small demo); `make bench` runs it after
the household figures, on the 100,000-row archive.
"""

import os
import sys
import tempfile


def run() -> None:
    from django.test import Client

    from anju.accounts.models import User
    from anju.api.tokens import token_create
    from anju.households.models import Household
    from bench.households import latency, signed_in

    clerk = User.objects.get(username="zp_clerk")
    _token, raw = token_create(actor=clerk, name="bench", days=30)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    page = signed_in("zp_clerk")  # past the second factor, as the other parts
    api_p50, api_p95 = latency(api, "/api/v1/households/")
    big_p50, big_p95 = latency(api, "/api/v1/households/?page_size=200")
    html_p50, html_p95 = latency(page, "/households/")
    print(
        f"api household list ({Household.objects.count():,} households): 50 rows p50 "
        f"{api_p50:.0f} ms, p95 {api_p95:.0f} ms · 200 rows p50 {big_p50:.0f} ms, p95 "
        f"{big_p95:.0f} ms · the HTML list (50 rows) p50 {html_p50:.0f} ms, p95 {html_p95:.0f} ms"
        " (Django test client; each API call also appends its audit entry)"
    )


def main() -> int:
    os.environ.setdefault("ANJU_DATA_DIR", tempfile.mkdtemp(prefix="anju-bench-api-"))
    os.environ.setdefault("ANJU_HTTPS", "0")
    from anju.cli import _migrate, _setup

    _setup()
    _migrate()
    from django.conf import settings

    settings.ANJU_API_RATE = 1_000_000  # measure the API, not the throttle
    from anju.demo import load_demo

    load_demo(size=os.environ.get("BENCH_SIZE", "small"))
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
