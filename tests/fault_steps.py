"""Steps the fault tests (tests/test_faults.py) run as their own processes on a scratch
installation, under the production settings (`python -m tests.fault_steps STEP ...`):

  setup FOLDER ROWS      migrate, the test regions and cast, an archive of ROWS households
                         (FOLDER/archive.xlsx) and a deaths list (FOLDER/deaths.csv)
  import FILE            import an archive at once (the cross-check cases need households)
  reference FILE         import the deaths list
  queue-import FILE      queue the archive's import for the worker; prints the upload's id
  queue-check            queue a cross-check run of the city for the worker; prints its id
  state                  JSON: uploads, runs, task results, findings, and the archive's rows

The rows are dumped by content (no ids, no timestamps, parents by their own content), so two
installations that imported the same file compare equal."""

import csv
import io
import json
import sys
from pathlib import Path

CITY = "350800000000"


def rows(n: int) -> list[list]:
    from tests.households.files import rid, row

    return [
        row(i, **{"户主身份证号": rid(i % 1000, 1950 + i // 1000), "户主姓名": f"农户{i}"})
        for i in range(n)
    ]


def setup(folder: str, count: str) -> None:
    from anju.cli import _migrate
    from tests.base import make_cast, make_regions
    from tests.households.files import rid, xlsx

    _migrate()
    make_regions()
    make_cast()
    folder = Path(folder)
    (folder / "archive.xlsx").write_bytes(xlsx(rows(int(count))))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "身份证号", "死亡日期"])
    # The first heads died before their renovation was approved: DECEASED_BENEFICIARY.
    writer.writerows([f"农户{i}", rid(i % 1000, 1950 + i // 1000), "2019-1-1"] for i in range(500))
    (folder / "deaths.csv").write_text(out.getvalue(), encoding="utf-8")


def import_now(path: str) -> None:
    from anju.households.imports import import_households

    result = import_households(actor="faults", data=Path(path).read_bytes(), file_name="a.xlsx")
    assert result.ok, result.errors[:5]


def reference(path: str) -> None:
    from anju.crosscheck.references import import_reference
    from anju.regions.models import Region

    result = import_reference(
        actor="faults",
        kind="deaths",
        data=Path(path).read_bytes(),
        file_name="deaths.csv",
        region=Region.objects.get(code=CITY),
    )
    assert result.ok, result.errors[:5]


def queue_import(path: str) -> None:
    from django.db import transaction

    from anju.accounts.models import User
    from anju.households.tasks import queue_import

    with transaction.atomic():
        upload = queue_import(
            user=User.objects.get(username="alice"),
            file_name="档案.xlsx",
            data=Path(path).read_bytes(),
        )
    print(upload.pk)


def queue_check() -> None:
    from django.db import transaction

    from anju.crosscheck.runs import start_run
    from anju.crosscheck.tasks import run_check
    from anju.regions.models import Region

    with transaction.atomic():
        run = start_run(actor="faults", region=Region.objects.get(code=CITY))
        run_check.enqueue(run.pk)
    print(run.pk)


def _content() -> dict:
    """Every row of the archive's tables by content: parents named by their own content."""
    from django.db import models

    from anju.households import models as h
    from anju.sealed import DigestField

    natural: dict[type, dict] = {}
    dumped = {}
    order = [h.Household, h.Person, h.CategoryRecord, h.House, h.Assessment, h.Renovation]
    order.append(h.Payment)
    for model in order:
        natural[model] = {}
        table = []
        for obj in model.objects.all():
            row = {}
            for field in model._meta.concrete_fields:
                if field.primary_key or isinstance(field, models.DateTimeField):
                    continue
                if field.name == "batch":
                    continue
                if isinstance(field, DigestField):
                    continue  # keyed by each installation's own key; the clear value is compared
                value = getattr(obj, field.attname)
                if field.is_relation and field.related_model in natural:
                    value = natural[field.related_model].get(value)
                row[field.name] = value if isinstance(value, (int, str, type(None))) else str(value)
            key = json.dumps(row, sort_keys=True, ensure_ascii=False)
            natural[model][obj.pk] = key
            table.append(key)
        dumped[model.__name__] = sorted(table)
    return dumped


def state() -> None:
    from django_tasks_db.models import DBTaskResult

    from anju.crosscheck.models import CheckRun, Finding
    from anju.households.models import ImportUpload

    print(
        json.dumps(
            {
                "uploads": list(
                    ImportUpload.objects.order_by("pk").values("pk", "status", "message")
                ),
                "runs": list(
                    CheckRun.objects.order_by("pk").values("pk", "status", "found", "new")
                ),
                # The import's and the run's jobs; the notifications' own periodic jobs (queued
                # by every worker at start, run later) are not what the faults are about.
                "tasks": sorted(
                    DBTaskResult.objects.exclude(
                        task_path__startswith="anju.notifications."
                    ).values_list("status", flat=True)
                ),
                "findings": sorted(Finding.objects.values_list("fingerprint", flat=True)),
                "content": _content(),
            },
            ensure_ascii=False,
        )
    )


STEPS = {
    "setup": setup,
    "import": import_now,
    "reference": reference,
    "queue-import": queue_import,
    "queue-check": queue_check,
    "state": state,
}


def main(argv: list[str]) -> None:
    from anju.cli import _setup

    _setup()
    STEPS[argv[0]](*argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
