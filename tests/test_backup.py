"""`anju backup`: a backup restores into a scratch database with every table's checksum equal to
the manifest, and a damaged backup is caught, on SQLite and on PostgreSQL."""

import json
import sqlite3
import tempfile
from pathlib import Path

from django.db import connection
from django.test import TransactionTestCase

from anju.backup import backup, verify
from anju.households.imports import import_households
from tests.base import make_cast, make_regions
from tests.households.files import row, xlsx


class BackupTests(TransactionTestCase):
    def setUp(self):
        make_regions()
        make_cast()
        import_households(actor="t", file_name="a.xlsx", data=xlsx([row(1), row(2)]))
        self.folder = Path(tempfile.mkdtemp())

    def test_a_backup_restores_with_the_same_checksums(self):
        made = backup(self.folder)
        manifest = json.loads((made / "manifest.json").read_text("utf-8"))
        self.assertEqual(manifest["tables"]["households_household"]["rows"], 2)
        self.assertIn("households_importupload", manifest["tables"])  # uploaded files too
        self.assertEqual(verify(made), [])

    def test_a_damaged_backup_is_caught(self):
        if connection.vendor != "sqlite":
            self.skipTest("the damage is done to an SQLite file")
        made = backup(self.folder)
        damaged = sqlite3.connect(made / "database.sqlite3")
        damaged.execute("UPDATE households_household SET head_name = '改过'")
        damaged.commit()
        damaged.close()
        problems = verify(made)
        self.assertEqual(len(problems), 1)
        self.assertTrue(problems[0].startswith("households_household:"))
