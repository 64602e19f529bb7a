import io
import itertools
import threading
from contextlib import redirect_stderr, redirect_stdout

from django.db import connection, connections
from django.test import TransactionTestCase

from anju.audit.chain import GENESIS
from anju.audit.models import Action, AuditEntry, AuditHead
from anju.audit.services import audit, audit_many
from anju.audit.verify import verify_chain
from anju.cli import main
from tests.base import AnjuTestCase


def run_verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["audit", "verify"])
    return code, out.getvalue() + err.getvalue()


def raw(sql: str, params=()) -> None:
    """Tamper the way someone with database access would: plain SQL, around the app."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class AuditChainTests(AnjuTestCase):
    def setUp(self):
        for i in range(5):
            audit(
                actor=self.alice,
                action=Action.UPDATE,
                obj=self.alice,
                before={"n": i},
                after={"n": i + 1},
            )

    def entry(self, seq: int) -> AuditEntry:
        return AuditEntry.objects.get(seq=seq)

    def test_it_chains_each_entry_to_the_previous(self):
        entries = list(AuditEntry.objects.order_by("seq"))
        self.assertEqual([e.seq for e in entries], list(range(1, 6)))
        self.assertEqual(entries[0].prev_hash, GENESIS)
        for before, after in itertools.pairwise(entries):
            self.assertEqual(after.prev_hash, before.hash)
        head = AuditHead.objects.get(pk=1)
        self.assertEqual((head.seq, head.hash), (5, entries[-1].hash))

    def test_it_records_who_what_where_and_values(self):
        e = self.entry(1)
        self.assertEqual(e.actor_username, "alice")
        self.assertEqual(e.object_type, "accounts.user")
        self.assertEqual(e.region_code, self.alice.region_id)
        self.assertEqual(e.changes, {"before": {"n": 0}, "after": {"n": 1}})

    def test_verify_passes_on_an_intact_chain(self):
        code, text = run_verify()
        self.assertEqual(code, 0, text)
        self.assertIn("完整", text)
        self.assertIn("5", text)

    def test_verify_names_an_updated_entry(self):
        target = self.entry(3)
        raw("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["篡改", target.id])
        code, text = run_verify()
        self.assertEqual(code, 1)
        self.assertIn(f"第 3 条（id={target.id}）", text)
        self.assertIn("被修改", text)

    def test_verify_names_an_entry_whose_values_were_changed(self):
        target = self.entry(2)
        raw(
            "UPDATE audit_auditentry SET changes = %s WHERE id = %s",
            ['{"before": {"n": 9}, "after": {"n": 1}}', target.id],
        )
        code, text = run_verify()
        self.assertEqual(code, 1)
        self.assertIn("第 2 条", text)

    def test_verify_names_the_entry_after_a_deleted_one(self):
        gone, after = self.entry(3), self.entry(4)
        raw("DELETE FROM audit_auditentry WHERE id = %s", [gone.id])
        code, text = run_verify()
        self.assertEqual(code, 1)
        self.assertIn(f"第 4 条（id={after.id}）", text)
        self.assertIn("删除", text)

    def test_verify_catches_a_cut_off_tail(self):
        raw("DELETE FROM audit_auditentry WHERE seq = 5")
        code, text = run_verify()
        self.assertEqual(code, 1)
        self.assertIn("链尾缺失", text)

    def test_verify_names_an_inserted_entry(self):
        # A forged entry slipped in at the end, even with a correctly computed hash.
        last = self.entry(5)
        forged = AuditEntry(
            seq=6,
            at=last.at,
            actor_username="mallory",
            action="delete",
            object_type="x",
            prev_hash=last.hash,
            hash="f" * 64,
            changes={},
        )
        forged.save()
        code, text = run_verify()
        self.assertEqual(code, 1)
        self.assertIn(f"第 6 条（id={forged.id}）", text)

    def test_verify_names_an_entry_inserted_in_the_middle(self):
        # Make room by renumbering, as an insider would have to.
        raw("UPDATE audit_auditentry SET seq = seq + 100 WHERE seq >= 3")
        raw("UPDATE audit_auditentry SET seq = seq - 99 WHERE seq >= 100")
        third = self.entry(2)
        forged = AuditEntry.objects.create(
            seq=3,
            at=third.at,
            actor_username="mallory",
            action="create",
            object_type="x",
            prev_hash=third.hash,
            hash="e" * 64,
            changes={},
        )
        code, text = run_verify()
        self.assertEqual(code, 1)
        self.assertIn(f"第 3 条（id={forged.id}）", text)

    def test_bulk_appends_chain_too(self):
        audit_many(
            actor=self.carol,
            action=Action.CREATE,
            items=[(self.regions[c], None, {"c": c}) for c in list(self.regions)[:4]],
        )
        self.assertEqual(AuditEntry.objects.count(), 9)
        self.assertTrue(verify_chain().ok)

    def test_the_app_offers_no_way_to_change_the_log(self):
        self.login(self.aud)
        entry = self.entry(1)
        for url in (f"/audit/{entry.pk}/", "/audit/"):
            for method in ("post", "put", "patch", "delete"):
                response = getattr(self.client, method)(url)
                self.assertEqual(response.status_code, 405, f"{method} {url}")
        self.assertTrue(verify_chain().ok)


class ConcurrentAppendTests(TransactionTestCase):
    """Many writers at once still give one unbroken chain (row lock on PostgreSQL, the write
    lock of an IMMEDIATE transaction on SQLite)."""

    def test_it_keeps_the_chain_under_concurrent_writers(self):
        errors = []

        def writer(n: int) -> None:
            try:
                for i in range(10):
                    audit(
                        actor=f"writer-{n}",
                        action=Action.UPDATE,
                        obj="test.object",
                        after={"writer": n, "i": i},
                    )
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(AuditEntry.objects.count(), 60)
        report = verify_chain()
        self.assertTrue(report.ok, str(report))


class ExportedHeadTests(AnjuTestCase):
    def setUp(self):
        import tempfile
        from pathlib import Path

        for i in range(3):
            audit(actor=self.alice, action=Action.UPDATE, obj=self.alice, after={"n": i})
        self.head = Path(tempfile.mkdtemp()) / "heads.jsonl"

    def cli(self, *args) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["audit", *args])
        return code, out.getvalue() + err.getvalue()

    def test_a_cut_tail_with_a_rewritten_head_row_is_still_caught(self):
        code, text = self.cli("export-head", "--head", str(self.head))
        self.assertEqual(code, 0, text)
        self.assertEqual(self.cli("verify", "--head", str(self.head))[0], 0)
        # The insider deletes the last entry and rewinds the head row to match.
        last = AuditEntry.objects.get(seq=3)
        raw("DELETE FROM audit_auditentry WHERE seq = 3")
        raw("UPDATE audit_audithead SET seq = 2, hash = %s", [last.prev_hash])
        self.assertTrue(verify_chain().ok)  # the chain alone cannot tell
        code, text = self.cli("verify", "--head", str(self.head))
        self.assertEqual(code, 1)
        self.assertIn("第 3 条已不在数据库中", text)


class AuditKeyTests(AnjuTestCase):
    """Issue #33 F8: with database write access alone, an insider can compute a correct hash, but
    not the HMAC under ANJU_AUDIT_KEY (kept outside the database)."""

    def setUp(self):
        for i in range(3):
            audit(actor=self.alice, action=Action.UPDATE, obj=self.alice, after={"n": i})

    def forge(self, *, mac: str = "") -> AuditEntry:
        """Append an entry with a correct hash and move the head, as an insider can."""
        from anju.audit.chain import entry_hash, hashed_content

        head = AuditHead.objects.get(pk=1)
        last = AuditEntry.objects.get(seq=head.seq)
        fields = {
            "seq": head.seq + 1,
            "at": last.at,
            "actor_id": None,
            "actor_username": "sue",
            "ip": "10.0.0.8",
            "action": "otp_reset",
            "object_type": "accounts.user",
            "object_id": "1",
            "object_repr": "alice",
            "region_code": "",
            "result": "ok",
            "changes": {"note": "重置动态口令"},
        }
        digest = entry_hash(hashed_content(fields), head.hash)
        forged = AuditEntry.objects.create(**fields, prev_hash=head.hash, hash=digest, mac=mac)
        raw("UPDATE audit_audithead SET seq = %s, hash = %s", [fields["seq"], digest])
        return forged

    def test_an_appended_entry_with_a_correct_hash_is_caught(self):
        forged = self.forge()
        code, text = run_verify()
        self.assertEqual(code, 1)
        self.assertIn(f"第 4 条（id={forged.id}）", text)
        self.assertIn("缺少审计密钥签名", text)

    def test_a_signature_under_another_key_is_caught(self):
        import hmac as hmac_module
        from hashlib import sha256

        forged = self.forge(mac=hmac_module.new(b"k" * 32, b"guess", sha256).hexdigest())
        report = verify_chain()
        self.assertFalse(report.ok)
        self.assertEqual(report.broken_id, forged.id)
        self.assertIn("签名不符", report.reason)

    def test_every_entry_written_is_signed_and_verifies(self):
        self.assertFalse(AuditEntry.objects.filter(mac="").exists())
        self.assertEqual(run_verify()[0], 0)

    def test_the_key_lives_outside_the_database(self):
        from django.conf import settings

        from anju.audit.key import audit_key

        path = settings.DATA_DIR / "audit_key"
        self.assertTrue(path.exists())
        self.assertEqual(path.stat().st_mode & 0o077, 0)
        key_text = path.read_text().strip()
        self.assertEqual(len(audit_key()), 32)
        with connection.cursor() as cursor:
            cursor.execute("SELECT mac, hash FROM audit_auditentry")
            stored = " ".join(" ".join(r) for r in cursor.fetchall())
        self.assertNotIn(key_text, stored)

    def test_existing_entries_are_signed_by_the_upgrade(self):
        from importlib import import_module

        from django.apps import apps

        migration = import_module("anju.audit.migrations.0004_entry_mac")
        raw("UPDATE audit_auditentry SET mac = ''")
        self.assertIn("缺少审计密钥签名", run_verify()[1])
        migration.sign_existing_entries(apps, None)
        self.assertEqual(run_verify()[0], 0)


class SignedHeadTests(ExportedHeadTests):
    def test_it_catches_a_head_line_written_without_the_key(self):
        import json

        self.cli("export-head", "--head", str(self.head))
        line = json.loads(self.head.read_text().splitlines()[-1])
        self.assertEqual(len(line["mac"]), 64)
        # The insider cuts the tail, rewinds the head row, and rewrites the exported line to
        # match, recomputing what they can.
        last = AuditEntry.objects.get(seq=3)
        raw("DELETE FROM audit_auditentry WHERE seq = 3")
        raw("UPDATE audit_audithead SET seq = 2, hash = %s", [last.prev_hash])
        for forged_mac in ("0" * 64, None):
            record = {**line, "seq": 2, "hash": last.prev_hash}
            if forged_mac is None:
                record.pop("mac")
            self.head.write_text(json.dumps(line) + "\n" + json.dumps(record) + "\n")
            code, text = self.cli("verify", "--head", str(self.head))
            self.assertEqual(code, 1, text)
        self.head.write_text(
            json.dumps({**line, "seq": 2, "hash": last.prev_hash, "mac": "0" * 64})
        )
        code, text = self.cli("verify", "--head", str(self.head))
        self.assertIn("签名不符", text)

    def test_lines_exported_before_the_upgrade_are_still_read(self):
        import json

        head = AuditHead.objects.get(pk=1)
        old = {"at": "2026-01-01T00:00:00+08:00", "seq": head.seq, "hash": head.hash}
        self.head.write_text(json.dumps(old) + "\n")
        self.cli("export-head", "--head", str(self.head))
        self.assertEqual(self.cli("verify", "--head", str(self.head))[0], 0)
