"""The audit key: an HMAC key held outside the database (issue #33 F8).

The SHA-256 chain proves entries were not changed after the fact only against someone who cannot
recompute it, and anyone who can write to the database can: append a made-up entry with a correct
hash, move the head, and the chain still verifies. So every entry also carries an HMAC-SHA256
under this key, and exported heads are signed with it; without the key an insider can neither add
an entry `anju audit verify` accepts nor write a head line `--head` accepts.

`ANJU_AUDIT_KEY` (base64 of 32 bytes; or `ANJU_AUDIT_KEY_FILE`), or else a file `audit_key` in
the data dir made on first use (mode 600), as the field key. Back it up apart from the database.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
from functools import lru_cache

from django.conf import settings

from anju.env import envsecret


def _decode(text: str, name: str) -> bytes:
    key = base64.b64decode(text.strip())
    if len(key) != 32:
        raise ValueError(f"{name} 应为 32 字节密钥的 base64 编码")
    return key


def _file_key() -> bytes:
    path = settings.DATA_DIR / "audit_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(base64.b64encode(secrets.token_bytes(32)).decode())
    return _decode(path.read_text(encoding="ascii"), "audit_key")


@lru_cache(maxsize=1)
def audit_key() -> bytes:
    text = envsecret("ANJU_AUDIT_KEY")
    return _decode(text, "ANJU_AUDIT_KEY") if text else _file_key()


def reset_key() -> None:
    """Forget the cached key (tests that change the environment)."""
    audit_key.cache_clear()


def mac(text: str, key: bytes | None = None) -> str:
    return hmac.new(key or audit_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def head_text(record: dict) -> str:
    """What an exported head's signature covers: its time, sequence number and hash."""
    body = {k: record.get(k) for k in ("at", "seq", "hash")}
    return "anju audit head\x00" + json.dumps(body, sort_keys=True, separators=(",", ":"))


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a or "", b or "")
