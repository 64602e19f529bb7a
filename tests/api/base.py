"""The API's cast and world: one household in 西埔村 (新桥镇) and one in 东洋村 (双洋镇), each
with a person, a category, a house with an assessment, a renovation with a payment and a visit;
findings, clues and reports; and a token for every member of the cast."""

from datetime import date, datetime

from django.core.cache import cache
from django.utils import timezone

from anju.api.models import ApiToken
from anju.api.tokens import digest, token_create
from anju.crosscheck.models import CheckRun, Finding
from anju.households.models import (
    Assessment,
    CategoryRecord,
    FollowUpVisit,
    House,
    Household,
    Payment,
    Person,
    Renovation,
)
from anju.oversight.models import Clue, CluePerson
from anju.reporting.models import Report, ReportEvent
from tests.base import AnjuTestCase

XIPU, DONGYANG = "350881100203", "350881101201"
HEAD_IDS = {XIPU: "350881195001011231", DONGYANG: "350881196203154417"}
ACCOUNTS = {XIPU: "6217001234567890", DONGYANG: "6217009876543210"}


def stored_token(user, raw: str) -> ApiToken:
    """A live token row for `raw`, written directly (past token_create's own checks)."""
    return ApiToken.objects.create(
        user=user,
        name="测试",
        key_hash=digest(raw),
        prefix=raw[:12],
        expires_at=timezone.now() + timezone.timedelta(days=1),
        issued_stamp=user.session_stamp,
    )


def make_household(region: str, name: str, *, visitor, on: date) -> Household:
    household = Household.objects.create(
        region_id=region,
        head_name=name,
        head_id=HEAD_IDS[region],
        size=3,
        account_number=ACCOUNTS[region],
        account_holder=name,
    )
    Person.objects.create(
        household=household, name=name, id_number=HEAD_IDS[region], relation="户主"
    )
    CategoryRecord.objects.create(
        household=household, category="registered_poor", department="扶贫办", start=date(2016, 1, 1)
    )
    house = House.objects.create(household=household, structure="earth")
    Assessment.objects.create(house=house, grade="D", assessed_on=on, assessor="鉴定站")
    renovation = Renovation.objects.create(
        household=household, year=on.year, method="rebuild", approved_on=on, subsidy_fen=2000000
    )
    Payment.objects.create(
        renovation=renovation,
        paid_on=on,
        amount_fen=2000000,
        account_number=ACCOUNTS[region],
        account_holder=name,
    )
    FollowUpVisit.objects.create(household=household, visited_on=on, visitor=visitor, note="正常")
    return household


class ApiTestCase(AnjuTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.home = make_household(XIPU, "西埔户主", visitor=cls.alice, on=date(2025, 4, 10))
        cls.away = make_household(DONGYANG, "东洋户主", visitor=cls.bob, on=date(2026, 6, 20))
        cls.check_run = CheckRun.objects.create(
            region_id="350881000000", actor_name="t", status="done"
        )
        cls.finding = Finding.objects.create(
            rule="NO_TOILET",
            fingerprint="NO_TOILET:home",
            region_id=XIPU,
            household=cls.home,
            id_number=cls.home.head_id,
            name=cls.home.head_name,
            evidence="西埔证据",
            first_run=cls.check_run,
            last_run=cls.check_run,
        )
        cls.away_finding = Finding.objects.create(
            rule="NO_ACCEPTANCE",
            fingerprint="NO_ACCEPTANCE:away",
            region_id=DONGYANG,
            household=cls.away,
            id_number=cls.away.head_id,
            name=cls.away.head_name,
            evidence="东洋证据",
            first_run=cls.check_run,
            last_run=cls.check_run,
        )
        cls.clue = Clue.objects.create(
            number="350881-2026-00001",
            region_id="350881100000",
            place="新桥镇西埔村",
            source_channel="petition",
            received_on=date(2026, 10, 5),
            category="funds",
            summary="西埔村危改补助被截留",
            status="registered",
            status_since=date(2026, 10, 5),
            registered_by=cls.carol,
            links=f"户主身份证号 {HEAD_IDS[XIPU]}，2025 年度",
        )
        CluePerson.objects.create(clue=cls.clue, name="某村干部", level="village")
        cls.away_clue = Clue.objects.create(
            number="350881-2026-00002",
            region_id="350881101000",
            place="双洋镇",
            source_channel="audit",
            received_on=date(2026, 3, 1),
            category="style",
            summary="双洋镇作风问题",
            status="registered",
            status_since=date(2026, 3, 1),
            registered_by=cls.carol,
        )
        cls.report = Report.objects.create(
            region_id="350881000000",
            kind="annex1",
            period=date(2026, 9, 1),
            due_date=date(2026, 10, 26),
            values={"values": [0] * 34},
            prepared_by=cls.carol,
            status="submitted",
            sha256="ab" * 32,
            submitted_at=timezone.make_aware(datetime(2026, 10, 20, 10)),
        )
        ReportEvent.objects.create(
            report=cls.report, from_status="signed_off", to_status="submitted", actor=cls.rita
        )
        cls.away_report = Report.objects.create(
            region_id="350802000000",
            kind="annex1",
            period=date(2026, 9, 1),
            due_date=date(2026, 10, 26),
            prepared_by=cls.xavier,
        )
        cls.tokens = {}
        for name, user in cls.users.items():
            cls.tokens[name] = cls.issue(user)

    def setUp(self):
        super().setUp()
        # Throttle counters and the audit cap on guessed tokens live in the cache.
        cache.clear()

    @classmethod
    def issue(cls, user) -> str:
        """A live token for `user`; for the administrators, who cannot create one, stored
        directly, to prove the API refuses them whatever they hold."""
        if any(role.endswith("_admin") for role in user.roles):
            raw = f"anju_admin-{user.username}-token-for-tests-only-0000000000"
            stored_token(user, raw)
            return raw
        return token_create(actor=user, name="测试", days=30)[1]

    def api(self, user_or_token, path: str, data=None, method: str = "get", **extra):
        token = (
            self.tokens[user_or_token.username]
            if hasattr(user_or_token, "username")
            else (user_or_token)
        )
        if token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        call = getattr(self.client, method)
        return call(path, data or {}, **extra)
