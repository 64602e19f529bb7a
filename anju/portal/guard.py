"""Abuse on the portal: rate limits per client address (behind ANJU_TRUSTED_PROXIES, the real
client's) and per session, in the cache shared by every web worker; and a question only a person
reads easily: characters drawn by the server into a distorted picture (no third-party CAPTCHA,
nothing fetched from outside). The answer is never in the page's text, so a script cannot parse
it out as it could the old "三加四等于几" (issue #33 F11)."""

import io
import secrets

from django.core.cache import cache

from anju.netaddr import client_address

# action: (requests allowed, per seconds)
LIMITS = {
    "report": (5, 3600),
    "track": (20, 3600),
    "add": (10, 3600),
    # Browsing the disclosure lists (one village and year per request): a person reads a few
    # dozen an hour; a harvest of a county took 2,775 requests in 28 s.
    "disclosure": (120, 3600),
}
# Characters people do not confuse when drawn (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6).
CHALLENGE_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"
CHALLENGE_LENGTH = 5


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


def new_question(request) -> None:
    """A new challenge for this session; its picture is served by challenge_png."""
    request.session["portal_answer"] = "".join(
        secrets.choice(CHALLENGE_ALPHABET) for _ in range(CHALLENGE_LENGTH)
    )


def challenge_png(request) -> bytes | None:
    """The session's challenge drawn as a picture: each character in its own size, angle and
    place, over noise lines and dots, in colours close to each other's brightness."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    answer = request.session.get("portal_answer")
    if not answer:
        return None
    rng = secrets.SystemRandom()
    width, height = 200, 70
    image = Image.new("RGB", (width, height), (rng.randint(225, 245),) * 3)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        draw.line(
            [(rng.randint(0, width), rng.randint(0, height)) for _ in range(2)],
            fill=tuple(rng.randint(90, 170) for _ in range(3)),
            width=1,
        )
    x = rng.randint(6, 16)
    for char in answer:
        font = ImageFont.load_default(size=rng.randint(34, 44))
        glyph = Image.new("L", (60, 60), 0)
        ImageDraw.Draw(glyph).text((10, 4), char, font=font, fill=255)
        glyph = glyph.rotate(rng.uniform(-28, 28), resample=Image.Resampling.BICUBIC)
        colour = tuple(rng.randint(20, 110) for _ in range(3))
        image.paste(Image.new("RGB", glyph.size, colour), (x, rng.randint(-2, 12)), glyph)
        x += rng.randint(30, 36)
    for _ in range(250):
        draw.point(
            (rng.randrange(width), rng.randrange(height)),
            fill=tuple(rng.randint(60, 200) for _ in range(3)),
        )
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "PNG")  # no text chunks: nothing but pixels
    return out.getvalue()


def answered(request, answer: str) -> bool:
    """Right or wrong, the challenge is used up: a new one is drawn for the next try."""
    expected = request.session.pop("portal_answer", None)
    given = "".join(answer.split()).upper()
    return expected is not None and secrets.compare_digest(given, expected)
