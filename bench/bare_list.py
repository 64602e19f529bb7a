"""The yardstick of bench/cluster.py: a bare Django site with one page, a list of 50 households
read from the same database with one query, rendered by a template, served by gunicorn the way
`anju serve` serves Anju. No sessions, no login, no middleware: what Django and gunicorn cost on
this machine before any of Anju's own work (scoping, access checks, masking, the audit).

    BARE_DATABASE_URL=postgres://… gunicorn bench.bare_list:application"""

import os

import dj_database_url
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-not-a-secret",  # noqa: S106 (a page with no session or form)
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    DATABASES={"default": dj_database_url.parse(os.environ["BARE_DATABASE_URL"], conn_max_age=60)},
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
    USE_TZ=True,
)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402

PAGE = engines["django"].from_string(
    "<!DOCTYPE html><html><body><h1>农户</h1><table>"
    "{% for pk, name, region in rows %}<tr><td><a href='/households/{{ pk }}/'>{{ name }}</a>"
    "</td><td>{{ region }}</td></tr>{% endfor %}</table></body></html>"
)


def households(request):
    page = max(1, int(request.GET.get("page", "1") or 1))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT h.id, h.head_name, r.name FROM households_household h "
            "JOIN regions_region r ON r.code = h.region_id ORDER BY h.region_id, h.head_name, h.id "
            "LIMIT 50 OFFSET %s",
            [(page - 1) * 50],
        )
        rows = cursor.fetchall()
    return HttpResponse(PAGE.render({"rows": rows}))


urlpatterns = [path("households/", households)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
