"""Issue #33 F11: the report form's question cannot be answered by parsing the page, and
browsing the disclosure lists is limited per client (the real client behind a trusted proxy)."""

import io
import re

from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from anju.portal.guard import CHALLENGE_ALPHABET, LIMITS
from anju.portal.models import PublicReport
from tests.base import AnjuTestCase

PLACE = {"county": "350881000000", "township": "350881100000", "village": "350881100203"}
LIST = {**PLACE, "year": "2019"}


class ChallengeTests(AnjuTestCase):
    def setUp(self):
        cache.clear()

    def test_the_answer_is_only_in_the_picture(self):
        page = self.client.get(reverse("portal:report"), PLACE).content.decode()
        answer = self.client.session["portal_answer"]
        self.assertEqual(len(answer), 5)
        self.assertTrue(set(answer) <= set(CHALLENGE_ALPHABET))
        # Nothing in the page says what it is: no sum to work out, no characters to copy.
        self.assertNotIn(answer, page)
        self.assertNotIn("加", re.sub(r"<[^>]+>", "", page).split("验证")[-1][:40])
        src = re.search(r'<img src="([^"]+)"[^>]*data-testid="challenge"', page)[1]
        picture = self.client.get(src)
        self.assertEqual(picture["Content-Type"], "image/png")
        self.assertEqual(picture["Cache-Control"], "no-store")
        self.assertNotIn(answer.encode(), picture.content)
        image = Image.open(io.BytesIO(picture.content))
        self.assertEqual(image.size, (200, 70))
        self.assertEqual(image.info, {})  # no text chunks: pixels only
        # Each drawing of the same answer differs, so pictures cannot be matched to answers.
        self.assertNotEqual(self.client.get(src).content, picture.content)

    def test_a_person_who_reads_it_reports_and_a_guess_does_not(self):
        self.client.get(reverse("portal:report"), PLACE)
        data = {**PLACE, "kind": "funds", "description": "村干部代领补助款。", "answer": "AAAAA"}
        response = self.client.post(reverse("portal:report"), data)
        self.assertContains(response, "验证字符不正确")
        self.assertFalse(PublicReport.objects.exists())
        answer = self.client.session["portal_answer"]  # a new one was drawn
        data["answer"] = " " + answer.lower() + " "
        response = self.client.post(reverse("portal:report"), data)
        self.assertIn("code", response.context)
        self.assertEqual(PublicReport.objects.count(), 1)

    def test_a_session_without_a_challenge_gets_a_new_one(self):
        response = self.client.get(reverse("portal:challenge"))
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(len(self.client.session["portal_answer"]), 5)


class DisclosureLimitTests(AnjuTestCase):
    def setUp(self):
        cache.clear()

    def test_one_client_is_stopped_and_others_are_served(self):
        limit = LIMITS["disclosure"][0]
        for _ in range(limit):
            response = self.client.get(reverse("portal:disclosure"), LIST, REMOTE_ADDR="10.1.1.1")
            self.assertEqual(response.status_code, 200)
        response = self.client.get(reverse("portal:disclosure"), LIST, REMOTE_ADDR="10.1.1.1")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "查询过于频繁", status_code=429)
        # Choosing the place is not counted, and another client is served.
        other = self.client_class()
        response = other.get(reverse("portal:disclosure"), LIST, REMOTE_ADDR="10.1.1.2")
        self.assertEqual(response.status_code, 200)

    @override_settings(TRUSTED_PROXIES=["10.0.0.1"])
    def test_behind_the_proxy_each_client_counts_for_itself(self):
        limit = LIMITS["disclosure"][0]
        for n in range(limit + 1):
            # A fresh session each time, as a script would: the address still counts.
            client = self.client_class()
            response = client.get(
                reverse("portal:disclosure"),
                LIST,
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR=f"6.6.6.{n % 250}, 203.0.113.9",
            )
        self.assertEqual(response.status_code, 429)
        response = self.client_class().get(
            reverse("portal:disclosure"),
            LIST,
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.10",
        )
        self.assertEqual(response.status_code, 200)
