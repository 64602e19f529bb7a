"""What the second factor and the password history cost.

- a staff page with an OTP-verified session (django-otp loads the device each request) beside the
  same page with two-factor login switched off;
- the code step itself (POST of a valid code: lock the device row, check, cycle the session key);
- a password change's history check with the production hasher (PBKDF2), 5 hashes kept vs none.

Run alone on a fresh data dir: `.venv/bin/python -m bench.login` (needs the demo's users: it loads
the small demo first); `make bench` runs it after the others.
"""

import os
import statistics
import tempfile
import time

from bench import repeats


def _median_ms(fn, n: int) -> tuple[float, float]:
    times = []
    n = repeats(n)
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times) * 1000, times[int(0.95 * (n - 1))] * 1000


def run() -> None:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.password_validation import validate_password
    from django.test import Client, override_settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.oath import TOTP

    from anju.accounts.models import PasswordHistory, SealedTOTPDevice, User
    from anju.accounts.validators import PasswordHistoryValidator

    clerk = User.objects.get(username="zp_clerk")
    device, _ = SealedTOTPDevice.objects.get_or_create(
        user=clerk, confirmed=True, defaults={"name": "bench"}
    )
    client = Client()
    client.force_login(clerk)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    def home():
        assert client.get("/").status_code == 200

    home()
    on_p50, on_p95 = _median_ms(home, 60)
    with override_settings(OTP_REQUIRED=False):
        off_p50, off_p95 = _median_ms(home, 60)
    print(
        f"home page, OTP-verified session: p50 {on_p50:.1f} ms, p95 {on_p95:.1f} ms · "
        f"two-factor off: p50 {off_p50:.1f} ms, p95 {off_p95:.1f} ms (Django test client)"
    )

    def code_step():
        fresh = Client()
        fresh.force_login(clerk)
        SealedTOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # a new step each round
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
        totp.time = time.time()
        response = fresh.post("/accounts/otp/", {"code": f"{totp.token():06d}"})
        assert response.status_code == 302 and response["Location"] == "/", response

    code_p50, code_p95 = _median_ms(code_step, 20)
    print(f"code step (POST of a valid code): p50 {code_p50:.1f} ms, p95 {code_p95:.1f} ms")

    # The production hasher, whatever the caller's settings: the check costs one hash per entry.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        clerk.password = make_password("Old-Password-0a")
        PasswordHistory.objects.filter(user=clerk).delete()
        bare, _ = _median_ms(lambda: validate_password("Tea-garden7Hills", clerk), 3)
        PasswordHistory.objects.bulk_create(
            PasswordHistory(user=clerk, password=make_password(f"Old-Password-{i}a"))
            for i in range(1, 5)
        )
        validator = PasswordHistoryValidator(keep=5)
        kept, _ = _median_ms(lambda: validator.validate("Tea-garden7Hills", clerk), 3)
        PasswordHistory.objects.filter(user=clerk).delete()
    print(
        f"password change: all validators without history {bare:.0f} ms · the history check "
        f"against the current and 4 earlier PBKDF2 hashes {kept:.0f} ms"
    )


if __name__ == "__main__":
    os.environ.setdefault("ANJU_DATA_DIR", tempfile.mkdtemp(prefix="anju-bench-"))
    os.environ.setdefault("ANJU_HTTPS", "0")
    from anju.cli import _migrate, _setup

    _setup()
    _migrate()
    from anju.demo import load_demo

    load_demo(size="small", actor="bench")
    run()
