"""The named cast every test can use, built once per test class.

Regions: 福建省 › 龙岩市 › 漳平市 (county) › 新桥镇 (township A, with 西埔村) and
双洋镇 (township B, with 东洋村); 新罗区 is a sibling county with 东城街道.
Users, as STYLE.md names them:
alice (township clerk, A), bob (township clerk, B), carol (county clerk), rita (county reviewer),
cindy (city office), dora (discipline), pete (department data provider), sam (system admin),
sue (security admin), aud (audit admin); of the sibling county: xavier (county clerk),
xsam (system admin), xaud (audit admin).
"""

import time

from django.test import TestCase
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from anju.accounts.models import RoleGrant, SealedTOTPDevice, User
from anju.accounts.roles import Role
from anju.regions.models import Region, level_of

PASSWORD = "Xq7#harbour-lantern"
# The TOTP secret (hex, 20 bytes) of every device the tests bind: codes computed with totp_code.
OTP_KEY = "3132333435363738393031323334353637383930"

REGIONS = [
    ("350000000000", "福建省", None),
    ("350800000000", "龙岩市", "350000000000"),
    ("350881000000", "漳平市", "350800000000"),
    ("350881100000", "新桥镇", "350881000000"),
    ("350881100203", "西埔村", "350881100000"),
    ("350881101000", "双洋镇", "350881000000"),
    ("350881101201", "东洋村", "350881101000"),
    ("350802000000", "新罗区", "350800000000"),
    ("350802001000", "东城街道", "350802000000"),
]

CAST = {
    "alice": (Role.TOWNSHIP_CLERK, "350881100000"),
    "bob": (Role.TOWNSHIP_CLERK, "350881101000"),
    "carol": (Role.COUNTY_CLERK, "350881000000"),
    "rita": (Role.COUNTY_REVIEWER, "350881000000"),
    "cindy": (Role.CITY_OFFICE, "350800000000"),
    "dora": (Role.DISCIPLINE, "350881000000"),
    "pete": (Role.DATA_PROVIDER, "350881000000"),
    "sam": (Role.SYSTEM_ADMIN, "350800000000"),
    "sue": (Role.SECURITY_ADMIN, "350800000000"),
    "aud": (Role.AUDIT_ADMIN, "350800000000"),
    "xavier": (Role.COUNTY_CLERK, "350802000000"),
    "xsam": (Role.SYSTEM_ADMIN, "350802000000"),
    "xaud": (Role.AUDIT_ADMIN, "350802000000"),
}


def make_regions() -> dict[str, Region]:
    made = {}
    for code, name, parent in REGIONS:
        made[code] = Region.objects.create(
            code=code, name=name, level=level_of(code), parent_id=parent
        )
    return made


def make_user(username: str, role: str | None, region_code: str | None, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        full_name=f"{username}姓名",
        region_id=region_code,
        **{"unit": f"{username}的单位", **extra},
    )
    if role:
        RoleGrant.objects.create(user=user, role=role)
    return user


def otp_device(user: User) -> SealedTOTPDevice:
    """The user's confirmed authenticator, with the known test secret (made on first use)."""
    device, _ = SealedTOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "测试验证器", "key": OTP_KEY}
    )
    return device


def totp_code(device: SealedTOTPDevice, at: float | None = None, step_offset: int = 0) -> str:
    """The 6-digit code an authenticator app shows for the device at `at` (default: now)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = (time.time() if at is None else at) + step_offset * device.step
    return f"{totp.token():0{device.digits}d}"


def verified_login(client, user: User) -> None:
    """Sign the test client in as after the password and the code (django-otp's session mark)."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = otp_device(user).persistent_id
    session.save()


# A department's data clerk uploads the kinds of list of the department named in their unit.
UNITS = {"pete": "漳平市公安局、扶贫办数据专班"}


def make_cast() -> dict[str, User]:
    return {
        name: make_user(name, role, code, **({"unit": UNITS[name]} if name in UNITS else {}))
        for name, (role, code) in CAST.items()
    }


class AnjuTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.regions = make_regions()
        cls.users = make_cast()
        for name, user in cls.users.items():
            setattr(cls, name, user)

    def login(self, user: User, client=None) -> None:
        """A session as after the password and the second factor (an OTP-verified session)."""
        verified_login(client or self.client, user)

    def login_through_forms(self, user: User, **extra):
        """Log in as a person does: the password form, then the code of the user's device."""
        code = totp_code(otp_device(user))
        self.client.post(
            "/accounts/login/", {"username": user.username, "password": PASSWORD}, **extra
        )
        return self.client.post("/accounts/otp/", {"code": code}, **extra)

    def login_password_only(self, user: User, client=None) -> None:
        """A session that has passed the password and not yet the second factor."""
        (client or self.client).force_login(user)
