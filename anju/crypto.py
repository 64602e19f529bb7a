"""Personal data encrypted at rest: AES-256-GCM (authenticated), the key outside the database.

The key comes from `ANJU_FIELD_KEY` (base64 of 32 bytes) or, failing that, a file `field_key` in
the data dir made on first use (readable by the owner only; back it up apart from the database).
Keys being retired stay readable while `anju rekey` moves everything to the current one:
`ANJU_FIELD_KEYS_OLD` (base64 keys separated by commas).

A value is `version 0x02 + 4-byte key id + 12-byte nonce + ciphertext and tag`. The associated
data binds it to its column (`households_household.head_id`): a ciphertext copied into another
column does not decrypt. A value with a blind index is also checked against its row's index
(`unseal_checked`): copied into another row of the same column, it is refused too. Version 0x01
(no key id) is what the portal wrote before; it is still read and `anju rekey` rewrites it.

The blind index is HMAC-SHA256 over the normalised value under a second key, `ANJU_INDEX_KEY`
or, by default, one derived from the field key (HKDF), cut to 32 hex characters (128 bits): the
same ID gives the same index in every table, so joins and look-ups run on it, while the
database alone does not reveal it.
"""

import base64
import hashlib
import os
import secrets
import weakref
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = b"\x02"
LEGACY = b"\x01"
DIGEST_LENGTH = 32  # hex characters of the blind index


def _decode(text: str, name: str) -> bytes:
    key = base64.b64decode(text.strip())
    if len(key) != 32:
        raise ValueError(f"{name} 应为 32 字节密钥的 base64 编码")
    return key


def key_id(key: bytes) -> bytes:
    """Four bytes naming a key inside each ciphertext (not secret: a hash of the key)."""
    return hashlib.sha256(b"anju field key id\x00" + key).digest()[:4]


def derive_index_key(field_key: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"anju blind index v1"
    ).derive(field_key)


@dataclass
class Keyring:
    current: bytes
    index_key: bytes
    old: list[bytes] = field(default_factory=list)
    # Index keys that stored blind indexes may still be under, until `anju rekey` has run.
    old_index_keys: list[bytes] = field(default_factory=list)

    def __post_init__(self):
        self.current_id = key_id(self.current)
        self.ciphers = {key_id(k): AESGCM(k) for k in [*self.old, self.current]}

    @property
    def index_id(self) -> str:
        """Names the index key (for the record of which key the stored indexes use)."""
        return hashlib.sha256(b"anju index key id\x00" + self.index_key).hexdigest()[:8]


def _file_key() -> bytes:
    path = settings.DATA_DIR / "field_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(base64.b64encode(secrets.token_bytes(32)).decode())
    return _decode(path.read_text(encoding="ascii"), "field_key")


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    text = os.environ.get("ANJU_FIELD_KEY", "").strip()
    current = _decode(text, "ANJU_FIELD_KEY") if text else _file_key()
    old = [
        _decode(part, "ANJU_FIELD_KEYS_OLD")
        for part in os.environ.get("ANJU_FIELD_KEYS_OLD", "").split(",")
        if part.strip()
    ]
    index_text = os.environ.get("ANJU_INDEX_KEY", "").strip()
    index_key = _decode(index_text, "ANJU_INDEX_KEY") if index_text else derive_index_key(current)
    old_index = [derive_index_key(k) for k in old] + [
        _decode(part, "ANJU_INDEX_KEYS_OLD")
        for part in os.environ.get("ANJU_INDEX_KEYS_OLD", "").split(",")
        if part.strip()
    ]
    return Keyring(
        current=current,
        index_key=index_key,
        old=[k for k in old if k != current],
        old_index_keys=[k for k in old_index if k != index_key],
    )


def reset_keys() -> None:
    """Forget the cached keys (after the environment changed: tests, `anju rekey`)."""
    keyring.cache_clear()
    _pads.cache_clear()


class Misplaced(ValueError):
    """A ciphertext that decrypts but belongs to another row (its blind index differs)."""


def seal(text: str, purpose: str) -> bytes | None:
    """`text` encrypted for `purpose` (the column, e.g. "households_person.id_number");
    None for empty text."""
    if not text:
        return None
    ring = keyring()
    nonce = os.urandom(12)
    sealed = ring.ciphers[ring.current_id].encrypt(nonce, text.encode(), purpose.encode())
    return VERSION + ring.current_id + nonce + sealed


def seal_bytes(data: bytes, purpose: str) -> bytes:
    """A whole file encrypted for `purpose` (an uploaded archive kept until it is imported), in
    the form of `seal`."""
    ring = keyring()
    nonce = os.urandom(12)
    sealed = ring.ciphers[ring.current_id].encrypt(nonce, data, purpose.encode())
    return VERSION + ring.current_id + nonce + sealed


def unseal_bytes(blob: bytes | memoryview, purpose: str) -> bytes:
    """The bytes `seal_bytes` sealed for `purpose`; InvalidTag if altered or misplaced."""
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise ValueError("unknown ciphertext version")
    cipher = keyring().ciphers.get(blob[1:5])
    if cipher is None:
        raise ValueError("密文所用密钥未配置（ANJU_FIELD_KEY / ANJU_FIELD_KEYS_OLD）")
    return cipher.decrypt(blob[5:17], blob[17:], purpose.encode())


class BulkSealer:
    """`seal(text, purpose)` for many values of one column (the imports): the current key looked
    up once, and the random nonces read from the OS 12 KiB at a time instead of one system call
    per value. Same output form as `seal`; make a new one after the keys change."""

    BLOCK = 1024  # nonces per read

    def __init__(self, purpose: str):
        ring = keyring()
        self._encrypt = ring.ciphers[ring.current_id].encrypt
        self._head = VERSION + ring.current_id
        self._aad = purpose.encode()
        self._pool = b""
        self._at = 0
        _LIVE_SEALERS.add(self)

    def _forget_pool(self) -> None:
        self._pool, self._at = b"", 0

    def __call__(self, text: str) -> bytes | None:
        if not text:
            return None
        at = self._at
        if at + 12 > len(self._pool):
            self._pool, at = os.urandom(12 * self.BLOCK), 0
        nonce = self._pool[at : at + 12]
        self._at = at + 12
        return self._head + nonce + self._encrypt(nonce, text.encode(), self._aad)


# A process forked while a BulkSealer holds unread nonces (anju.tabular.parallel) must not use
# them too: the same nonce twice under one key breaks AES-GCM. The child starts every pool afresh.
_LIVE_SEALERS: "weakref.WeakSet[BulkSealer]" = weakref.WeakSet()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        after_in_child=lambda: [sealer._forget_pool() for sealer in list(_LIVE_SEALERS)]
    )


def unseal(blob: bytes | memoryview | None, purpose: str) -> str:
    """The text sealed for `purpose`; cryptography's InvalidTag if the value was altered or
    sealed for another column."""
    if not blob:
        return ""
    blob = bytes(blob)
    ring = keyring()
    if blob[:1] == LEGACY:  # the portal's first form: current or an old key, column only
        *others, last = ring.ciphers.values()
        for cipher in others:
            try:
                return cipher.decrypt(blob[1:13], blob[13:], purpose.encode()).decode()
            except InvalidTag:
                continue
        return last.decrypt(blob[1:13], blob[13:], purpose.encode()).decode()
    if blob[:1] != VERSION:
        raise ValueError("unknown ciphertext version")
    cipher = ring.ciphers.get(blob[1:5])
    if cipher is None:
        raise ValueError("密文所用密钥未配置（ANJU_FIELD_KEY / ANJU_FIELD_KEYS_OLD）")
    return cipher.decrypt(blob[5:17], blob[17:], purpose.encode()).decode()


def unseal_checked(blob, purpose: str, digest: str, kind: str) -> str:
    """`unseal`, and the value must be the one its row's blind index `digest` names (a
    ciphertext copied from another row of the same column is refused: `Misplaced`)."""
    text = unseal(blob, purpose)
    if blind(text, kind) != (digest or ""):
        raise Misplaced(f"{purpose}: 密文与本行的索引不符")
    return text


def sealed_with_current(blob: bytes | memoryview | None) -> bool:
    """Whether `blob` is already in the current form under the current key (rekey skips it)."""
    if not blob:
        return True
    blob = bytes(blob)
    return blob[:1] == VERSION and blob[1:5] == keyring().current_id


def blind(text: str, kind: str, key: bytes | None = None) -> str:
    """The blind index of `text` (already normalised: the 18-character upper-case ID, the
    account without spaces) for values of `kind` ("id", "account"): 32 hex characters, "" for
    empty text. The same value gives the same index in every table. `key`: an index key other
    than the current one (`anju rekey` recognising the old indexes)."""
    if not text:
        return ""
    inner, outer = _pads(key or keyring().index_key)
    inner = inner.copy()
    inner.update(kind.encode() + b"\x00" + text.encode())
    outer = outer.copy()
    outer.update(inner.digest())
    return outer.hexdigest()[:DIGEST_LENGTH]


def blinder(kind: str, key: bytes | None = None):
    """`blind(text, kind, key)` as a function of `text` alone, for computing many."""
    inner, outer = _pads(key or keyring().index_key)
    prefix = kind.encode() + b"\x00"

    def digest(text: str) -> str:
        if not text:
            return ""
        i = inner.copy()
        i.update(prefix + text.encode())
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()[:DIGEST_LENGTH]

    return digest


@lru_cache(maxsize=8)
def _pads(key: bytes):
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer hashes begun once: three times
    faster than `hmac.digest` per value, which an import computes hundreds of thousands of."""
    block = key.ljust(64, b"\x00")
    return (
        hashlib.sha256(bytes(b ^ 0x36 for b in block)),
        hashlib.sha256(bytes(b ^ 0x5C for b in block)),
    )
