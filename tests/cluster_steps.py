"""Steps the cluster test (tests/test_cluster.py) runs as their own processes against the
cluster's primary, under the production settings (`python -m tests.cluster_steps STEP ...`):

  setup FOLDER ROWS    migrate, the test regions and cast, a cadre with one assigned household,
                       and an archive of ROWS households (FOLDER/archive.xlsx)
  queue-refresh N      queue N jobs of the notifications' refresh task; prints their ids
"""

import json
import sys
from pathlib import Path


def setup(folder: str, count: str) -> None:
    from anju.accounts.roles import Role
    from anju.cadres.models import Assignment
    from anju.cli import _migrate
    from anju.households.models import Household
    from tests.base import make_cast, make_regions, make_user
    from tests.fault_steps import rows
    from tests.households.files import rid, xlsx

    _migrate()
    make_regions()
    cast = make_cast()
    cadre = make_user("cathy", Role.CADRE, "350881100000")
    cared = Household.objects.create(
        region_id="350881100203", head_name="帮扶户甲", head_id=rid(1, 1990)
    )
    Assignment.objects.create(cadre=cadre, household=cared, assigned_by=cast["alice"])
    (Path(folder) / "archive.xlsx").write_bytes(xlsx(rows(int(count))))
    print(cared.pk)


def queue_refresh(count: str) -> None:
    from anju.notifications.tasks import refresh_task

    ids = [str(refresh_task.enqueue(["350881100000"]).id) for _ in range(int(count))]
    print(json.dumps(ids))


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings")
    import django

    django.setup()
    step, *args = sys.argv[1:]
    {"setup": setup, "queue-refresh": queue_refresh}[step](*args)
