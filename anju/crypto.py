"""Personal data encrypted at rest: AES-256-GCM (authenticated), the key outside the database.

The key comes from `ANJU_FIELD_KEY` (base64 of 32 bytes) or, failing that, a file `field_key` in
the data dir made on first use (readable by the owner only; back it up apart from the database).
Each value is `version byte + 12-byte nonce + ciphertext`, bound to its purpose (associated data),
so a value copied into another column does not decrypt.
"""

import base64
import os
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = b"\x01"


@lru_cache(maxsize=1)
def _key() -> bytes:
    text = os.environ.get("ANJU_FIELD_KEY", "").strip()
    if text:
        key = base64.b64decode(text)
        if len(key) != 32:
            raise ValueError("ANJU_FIELD_KEY 应为 32 字节密钥的 base64 编码")
        return key
    path = settings.DATA_DIR / "field_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(base64.b64encode(secrets.token_bytes(32)).decode())
    return base64.b64decode(path.read_text(encoding="ascii").strip())


def seal(text: str, purpose: str) -> bytes | None:
    """`text` encrypted for `purpose` (e.g. "portal.reporter_name"); None for empty text."""
    if not text:
        return None
    nonce = secrets.token_bytes(12)
    return VERSION + nonce + AESGCM(_key()).encrypt(nonce, text.encode(), purpose.encode())


def unseal(blob: bytes | memoryview | None, purpose: str) -> str:
    if not blob:
        return ""
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise ValueError("unknown ciphertext version")
    return AESGCM(_key()).decrypt(blob[1:13], blob[13:], purpose.encode()).decode()
