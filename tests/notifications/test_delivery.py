"""Notifications against real servers on this machine: an SMTP server receiving the digest, and
HTTP servers playing 企业微信 / 钉钉 group robots, one failing before it recovers."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from anju.notifications import services
from anju.notifications.models import Delivery, DigestRun, Notification
from anju.notifications.senders import signed_url
from anju.oversight import services as ledger
from anju.regions.models import Region
from tests.base import AnjuTestCase
from tests.notifications.servers import RobotServer, SMTPServer
from tests.oversight.helpers import register

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 8)  # a Tuesday
MORNING = datetime(2026, 12, 8, 8, 0, tzinfo=SH)
ID_NUMBER = re.compile(r"\d{17}[\dXx]")


def mail_settings(smtp: SMTPServer):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp.port,
        EMAIL_USE_TLS=False,
        DEFAULT_FROM_EMAIL="anju@zp.gov.example",
    )


@override_settings(ANJU_REPORTING_SINCE="2100-01")
class DigestTests(AnjuTestCase):
    def setUp(self):
        with time_machine.travel(MORNING, tick=False):
            self.clues = [
                register(
                    self.carol,
                    summary=f"第{n}条：危改补助被截留，涉及户主身份证350881195001010011",
                    names=(f"张{n}",),
                    received_on=DAY - timedelta(days=100 + n),
                )[0]
                for n in range(3)
            ]

    def test_three_due_items_make_one_email_and_one_robot_message_and_none_the_next_day(self):
        with SMTPServer() as smtp, RobotServer() as robot, mail_settings(smtp):
            services.channel_add(actor=self.carol, kind="email", address="carol@zp.gov.example")
            services.channel_add(actor=self.carol, kind="wecom", address=robot.url())
            with time_machine.travel(MORNING, tick=False):
                run = services.daily(DAY)
            self.assertEqual(Notification.objects.filter(user=self.carol).count(), 3)
            self.assertEqual(run.deliveries, 2)  # carol's e-mail and robot
            self.assertEqual(len(smtp.messages), 1)
            sender, recipients, message = smtp.messages[0]
            self.assertEqual(
                (sender, recipients), ("anju@zp.gov.example", ["carol@zp.gov.example"])
            )
            body = message.get_content()
            self.assertIn("3 项", message["Subject"])
            self.assertEqual(len(robot.messages), 1)
            text = robot.messages[0]["text"]["content"]
            self.assertEqual(robot.messages[0]["msgtype"], "text")
            for clue in self.clues:
                self.assertIn(clue.number, body)
                self.assertIn(clue.number, text)
            for sent in (body, text):
                self.assertIsNone(ID_NUMBER.search(sent))  # nothing personal
                self.assertNotIn("张0", sent)

            with time_machine.travel(MORNING + timedelta(days=1), tick=False):
                again = services.daily(DAY + timedelta(days=1))
                self.assertIsNone(services.daily(DAY + timedelta(days=1)))  # claimed once
            self.assertEqual((again.notifications, again.deliveries), (0, 0))
            self.assertEqual(len(smtp.messages), 1)
            self.assertEqual(len(robot.messages), 1)

    def test_the_header_counts_unread_and_the_page_lists_them(self):
        with time_machine.travel(MORNING, tick=False):
            services.daily(DAY)
            self.login(self.carol)
            home = self.client.get(reverse("home"))
            self.assertContains(home, 'data-testid="unread-count">3<')
            page = self.client.get(reverse("notifications:list"))
            for clue in self.clues:
                self.assertContains(page, clue.number)
            first = Notification.objects.filter(user=self.carol).first()
            opened = self.client.post(reverse("notifications:open", args=[first.pk]))
            self.assertEqual(opened["Location"], first.url)
            home = self.client.get(reverse("home"))
            self.assertContains(home, 'data-testid="unread-count">2<')
            # Not another user's notification.
            self.login(self.rita)
            other = self.client.post(reverse("notifications:open", args=[first.pk]))
            self.assertEqual(other.status_code, 404)

    def test_email_not_configured_is_a_visible_failure_not_a_crash(self):
        services.channel_add(actor=self.carol, kind="email", address="carol@zp.gov.example")
        smtp = "django.core.mail.backends.smtp.EmailBackend"
        with (
            override_settings(EMAIL_BACKEND=smtp, EMAIL_HOST=""),
            time_machine.travel(MORNING, tick=False),
        ):
            services.daily(DAY)
        delivery = Delivery.objects.get()
        self.assertEqual((delivery.status, delivery.attempts), ("pending", 1))
        self.assertIn("ANJU_EMAIL_HOST", delivery.last_error)


@override_settings(ANJU_REPORTING_SINCE="2100-01")
class ImmediateTests(AnjuTestCase):
    def send_transfer(self):
        clue, _ = register(
            self.xavier,
            region="350802000000",
            summary="东城街道危改对象认定不精准",
            names=("李四",),
            received_on=timezone.localdate(),
        )
        with self.captureOnCommitCallbacks(execute=True):
            return ledger.transfer_send(
                actor=self.xavier,
                clue=clue,
                version=clue.version,
                target="district",
                to_region=Region.objects.get(code="350881000000"),
                to_unit="漳平市住建局",
            )

    def test_a_transfer_reaches_the_receiver_at_once_through_a_robot_that_fails_then_recovers(
        self,
    ):
        with RobotServer(failures=2, secret="SEC-dingtalk-secret") as robot:
            services.channel_add(
                actor=self.carol,
                kind="dingtalk",
                address=robot.url("/robot/send?access_token=abcdef"),
                secret="SEC-dingtalk-secret",
                mode="immediate",
            )
            transfer = self.send_transfer()
            note = Notification.objects.get(user=self.carol)
            self.assertEqual(note.key, f"transfer-ack:{transfer.pk}")
            delivery = Delivery.objects.get()
            self.assertEqual((delivery.status, delivery.attempts), ("pending", 1))
            self.assertIn("502", delivery.last_error)
            self.assertEqual(robot.messages, [])
            # Backed off: nothing is sent before its time.
            self.assertEqual(services.pump(timezone.now()), {})
            services.pump(timezone.now() + timedelta(minutes=1))
            delivery.refresh_from_db()
            self.assertEqual(delivery.attempts, 2)
            services.pump(timezone.now() + timedelta(minutes=3))
            delivery.refresh_from_db()
            self.assertEqual((delivery.status, delivery.attempts), ("sent", 3))
            self.assertEqual(len(robot.messages), 1)
            self.assertIn(transfer.clue.number, robot.messages[0]["text"]["content"])
            self.assertEqual(robot.calls, 3)
            # Sent once: later runs send nothing again.
            services.pump(timezone.now() + timedelta(hours=1))
            with self.captureOnCommitCallbacks(execute=True):
                services.refresh(self.carol)
            self.assertEqual(robot.calls, 3)
        # The sender has no other user's notification.
        self.assertFalse(Notification.objects.filter(user=self.rita).exists())

    @override_settings(ANJU_NOTIFY_MAX_ATTEMPTS=3)
    def test_a_robot_that_never_answers_is_given_up_and_shown_to_the_system_administrator(self):
        with RobotServer(failures=100) as robot:
            services.channel_add(
                actor=self.carol, kind="wecom", address=robot.url(), mode="immediate"
            )
            self.send_transfer()
            for minutes in (1, 3, 7):
                services.pump(timezone.now() + timedelta(minutes=minutes))
        delivery = Delivery.objects.get()
        self.assertEqual((delivery.status, delivery.attempts), ("failed", 3))
        self.login(self.sam)
        page = self.client.get(reverse("notifications:deliveries"))
        self.assertContains(page, "carol")
        self.assertContains(page, "HTTP 502")
        self.assertNotContains(page, "test-key-1234")  # the robot's key stays masked
        self.assertNotContains(page, "东城街道")  # no message text for the administrator
        self.client.post(reverse("notifications:delivery_retry", args=[delivery.pk]))
        delivery.refresh_from_db()
        self.assertIn(delivery.status, ("pending", "sending", "failed"))
        self.assertEqual(delivery.attempts <= 1, True)
        # A business user may not open the page; another county's administrator sees nothing.
        self.login(self.carol)
        self.assertEqual(self.client.get(reverse("notifications:deliveries")).status_code, 403)
        self.login(self.xsam)
        self.assertNotContains(self.client.get(reverse("notifications:deliveries")), "carol")


class SigningTests(AnjuTestCase):
    def test_dingtalk_signature_follows_the_documented_recipe(self):
        url = signed_url(
            "https://oapi.dingtalk.com/robot/send?access_token=x", "SECabc", 1700000000000
        )
        self.assertTrue(url.startswith("https://oapi.dingtalk.com/robot/send?access_token=x&"))
        self.assertIn("timestamp=1700000000000", url)
        self.assertRegex(url, r"sign=[A-Za-z0-9%]+")

    def test_a_wrong_secret_is_refused_by_the_robot_and_retried(self):
        with RobotServer(secret="right") as robot:
            services.channel_add(
                actor=self.carol,
                kind="dingtalk",
                address=robot.url("/robot/send?access_token=t"),
                secret="wrong",
                mode="digest",
            )
            with override_settings(ANJU_REPORTING_SINCE="2100-01"):
                register(self.carol, received_on=timezone.localdate() - timedelta(days=120))
                services.daily(timezone.localdate())
        delivery = Delivery.objects.get()
        self.assertEqual(delivery.status, "pending")
        self.assertIn("310000", delivery.last_error)
        self.assertTrue(DigestRun.objects.exists())

    def test_channels_are_the_users_own(self):
        self.login(self.carol)
        self.client.post(
            reverse("notifications:channel_add"),
            {"kind": "email", "address": "carol@zp.gov.example", "mode": "digest"},
        )
        page = self.client.get(reverse("notifications:channels"))
        self.assertContains(page, "c***@zp.gov.example")
        channel = self.carol.notify_channels.get()
        self.login(self.rita)
        refused = self.client.post(reverse("notifications:channel_remove", args=[channel.pk]))
        self.assertEqual(refused.status_code, 404)
        bad = self.client.post(
            reverse("notifications:channel_add"),
            {"kind": "wecom", "address": "file:///etc/passwd", "mode": "digest"},
            follow=True,
        )
        self.assertContains(bad, "https://")
        self.assertFalse(self.rita.notify_channels.exists())
