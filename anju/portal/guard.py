"""Abuse on the portal: rate limits per address and per session (the cache shared by every web
worker), and an offline question only a person reads easily (no third-party CAPTCHA)."""

import secrets

from django.core.cache import cache

from anju.netaddr import client_address

DIGITS = "零一二三四五六七八九"
# action: (requests allowed, per seconds)
LIMITS = {
    "report": (5, 3600),
    "track": (20, 3600),
    "add": (10, 3600),
}


def allowed(request, action: str) -> bool:
    """Count this request against the address and the session; False once either is over."""
    limit, window = LIMITS[action]
    address = client_address(request)
    if not request.session.session_key:
        request.session.save()
    keys = [f"portal:{action}:ip:{address}", f"portal:{action}:s:{request.session.session_key}"]
    ok = True
    for key in keys:
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        ok = ok and count <= limit
    return ok


def new_question(request) -> str:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    request.session["portal_answer"] = str(a + b)
    return f"{DIGITS[a]}加{DIGITS[b]}等于几？（请填阿拉伯数字）"


def answered(request, answer: str) -> bool:
    expected = request.session.pop("portal_answer", None)
    return expected is not None and answer.strip() == expected
