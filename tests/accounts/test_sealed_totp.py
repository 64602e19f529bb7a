"""TOTP secrets at rest (issue #9): sealed in `accounts_sealedtotpdevice.key`, never in clear;
moved there from django-otp's clear table by the migration; re-sealed by `anju rekey`."""

import base64
import os
import re
import secrets
from base64 import b32decode, b32encode
from datetime import timedelta
from unittest import mock

import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone
from django_otp import device_classes

from anju.accounts.models import SealedTOTPDevice
from anju.crypto import keyring, reset_keys
from anju.rekey import rekey
from tests.base import OTP_KEY, PASSWORD, AnjuTestCase, make_user, otp_device, totp_code
from tests.test_encryption import every_text_cell


def raw_key(device) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_sealedtotpdevice WHERE id = %s", [device.pk])
        return bytes(cursor.fetchone()[0])


def spellings(hex_key: str) -> list[str]:
    b32 = b32encode(bytes.fromhex(hex_key)).decode()
    return [hex_key.lower(), hex_key.upper(), b32, b32.lower()]


class SealedSecretTests(AnjuTestCase):
    def test_the_only_device_model_is_the_sealed_one(self):
        # django-otp's TOTP plugin (secret in clear) is not installed: no other device class
        # can hold a user's second factor.
        self.assertEqual(list(device_classes()), [SealedTOTPDevice])

    def test_an_enrolled_secret_is_sealed_and_no_column_holds_it_in_clear(self):
        user = make_user("newbie", "township_clerk", "350881100000")
        self.client.post(reverse("login"), {"username": "newbie", "password": PASSWORD})
        page = self.client.get(reverse("otp_setup")).content.decode()
        secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page)[1].replace(" ", "")
        device = SealedTOTPDevice.objects.get(user=user)
        with time_machine.travel(timezone.now() + timedelta(seconds=1)):
            response = self.client.post(
                reverse("otp_setup"), {"code": totp_code(device), "next": "/"}
            )
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertEqual(device.bin_key, b32decode(secret))  # the application reads it ...
        blob = raw_key(device)  # ... the database holds version, key id, nonce, ciphertext, tag
        self.assertEqual(blob[:1], b"\x02")
        self.assertEqual(blob[1:5], keyring().current_id)
        self.assertEqual(len(blob), 1 + 4 + 12 + 40 + 16)
        leaks = [
            (table, column)
            for table, column, text in every_text_cell()
            for spelling in spellings(device.key)
            if spelling in text
        ]
        self.assertEqual(leaks, [])

    def test_the_known_test_secret_is_sealed_too(self):
        device = otp_device(self.alice)
        self.assertEqual(SealedTOTPDevice.objects.get(pk=device.pk).key, OTP_KEY)
        cells = every_text_cell()
        self.assertFalse([c for t, c, text in cells for s in spellings(OTP_KEY) if s in text])

    def test_a_sealed_secret_moved_to_another_column_does_not_decrypt(self):
        from cryptography.exceptions import InvalidTag

        from anju.crypto import unseal

        blob = raw_key(otp_device(self.alice))
        self.assertEqual(unseal(blob, "accounts_sealedtotpdevice.key"), OTP_KEY)
        with self.assertRaises(InvalidTag):
            unseal(blob, "households_person.id_number")

    def test_rekey_reseals_the_secret_and_codes_still_work(self):
        self.addCleanup(reset_keys)
        old = base64.b64encode(secrets.token_bytes(32)).decode()
        new = base64.b64encode(secrets.token_bytes(32)).decode()
        with mock.patch.dict(os.environ, {"ANJU_FIELD_KEY": old}):
            reset_keys()
            device = otp_device(self.alice)
            old_id = keyring().current_id
            self.assertEqual(raw_key(device)[1:5], old_id)
        with mock.patch.dict(os.environ, {"ANJU_FIELD_KEY": new, "ANJU_FIELD_KEYS_OLD": old}):
            reset_keys()
            rewritten = rekey(actor="test")
            self.assertEqual(rewritten["accounts_sealedtotpdevice"], 1)
            self.assertEqual(rekey(actor="test")["accounts_sealedtotpdevice"], 0)
        with mock.patch.dict(os.environ, {"ANJU_FIELD_KEY": new}):  # the old key retired
            reset_keys()
            self.assertEqual(raw_key(device)[1:5], keyring().current_id)
            self.assertNotEqual(keyring().current_id, old_id)
            self.assertEqual(SealedTOTPDevice.objects.get(pk=device.pk).key, OTP_KEY)
            response = self.login_through_forms(self.alice)
            self.assertRedirects(response, "/", fetch_redirect_response=False)


# django-otp 1.7's table, as `otp_totp` migrations 0001-0003 leave it (SQLite and PostgreSQL).
OLD_TABLE = """
CREATE TABLE otp_totp_totpdevice (
    id {serial} PRIMARY KEY,
    name varchar(64) NOT NULL,
    confirmed boolean NOT NULL,
    key varchar(80) NOT NULL,
    step smallint NOT NULL,
    t0 bigint NOT NULL,
    digits smallint NOT NULL,
    tolerance smallint NOT NULL,
    drift smallint NOT NULL,
    last_t bigint NOT NULL,
    user_id bigint NOT NULL REFERENCES accounts_user (id),
    throttling_failure_count integer NOT NULL,
    throttling_failure_timestamp {stamp} NULL,
    created_at {stamp} NULL,
    last_used_at {stamp} NULL
)
"""


class MigrationTests(TransactionTestCase):
    """`accounts 0006` on a database that still has django-otp's clear table."""

    def migrate(self, target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])

    def tearDown(self):
        # Back to every app's latest migration: migrating one app back unapplies the later
        # migrations of other apps that depend on it, and the next tests need them all.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        super().tearDown()

    def test_it_moves_the_devices_seals_their_keys_and_drops_the_clear_table(self):
        alice = make_user("alice", "township_clerk", None)
        bob = make_user("bob", "township_clerk", None)
        self.migrate(("accounts", "0005_sealed_totp_device"))
        postgres = connection.vendor == "postgresql"
        other_key = secrets.token_hex(20)
        used = timezone.now() - timedelta(days=3)
        now = timezone.now()
        step_now = int(now.timestamp()) // 30  # alice's code of this step was used already
        with connection.cursor() as cursor:
            cursor.execute(
                OLD_TABLE.format(
                    serial="bigserial" if postgres else "integer",
                    stamp="timestamp with time zone" if postgres else "datetime",
                )
            )
            insert = (
                "INSERT INTO otp_totp_totpdevice (name, confirmed, key, step, t0, digits,"
                " tolerance, drift, last_t, user_id, throttling_failure_count,"
                " throttling_failure_timestamp, created_at, last_used_at)"
                " VALUES (%s, %s, %s, 30, 0, 6, 1, 0, %s, %s, %s, NULL, %s, %s)"
            )
            cursor.execute(insert, ["手机", True, OTP_KEY, step_now, alice.pk, 2, used, used])
            cursor.execute(insert, ["新手机", False, other_key, -1, bob.pk, 0, used, None])
            MigrationRecorder(connection).record_applied("otp_totp", "0001_initial")
        self.migrate(("accounts", "0006_move_totp_devices"))

        devices = {d.user_id: d for d in SealedTOTPDevice.objects.all()}
        self.assertEqual(set(devices), {alice.pk, bob.pk})
        first, second = devices[alice.pk], devices[bob.pk]
        self.assertEqual((first.key, first.confirmed, first.name), (OTP_KEY, True, "手机"))
        self.assertEqual((first.last_t, first.throttling_failure_count), (step_now, 2))
        self.assertEqual((first.step, first.t0, first.digits, first.tolerance), (30, 0, 6, 1))
        self.assertEqual(first.created_at, used)
        self.assertEqual(first.last_used_at, used)
        self.assertEqual((second.key, second.confirmed, second.last_t), (other_key, False, -1))
        self.assertNotIn("otp_totp_totpdevice", connection.introspection.table_names())
        applied = MigrationRecorder(connection).migration_qs
        self.assertFalse(applied.filter(app="otp_totp").exists())
        self.assertEqual(raw_key(first)[:1], b"\x02")
        cells = every_text_cell()
        clear = [s for k in (OTP_KEY, other_key) for s in spellings(k)]
        self.assertEqual([(t, c) for t, c, text in cells for s in clear if s in text], [])
        # A code used before the upgrade stays used; the device takes the next step's.
        with time_machine.travel(now, tick=False):
            self.assertFalse(first.verify_token(totp_code(first)))
        with time_machine.travel(now + timedelta(seconds=30), tick=False):
            self.assertTrue(first.verify_token(totp_code(first)))

    def test_a_new_database_has_nothing_to_move(self):
        self.assertEqual(SealedTOTPDevice.objects.count(), 0)
        self.assertNotIn("otp_totp_totpdevice", connection.introspection.table_names())
