"""Canonical serialisation and hashing of audit entries."""

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64


def canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def jsonable(value: object) -> object:
    """Values as they will come back from a JSON column (dates and Decimals as text)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _canonical(fields: dict, prev_hash: str) -> str:
    body = dict(fields, prev_hash=prev_hash)
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(fields: dict, prev_hash: str) -> str:
    return hashlib.sha256(_canonical(fields, prev_hash).encode("utf-8")).hexdigest()


def entry_mac(fields: dict, prev_hash: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the same canonical text under the audit key (anju.audit.key): only who
    holds the key can make an entry `anju audit verify` accepts."""
    from anju.audit.key import mac

    return mac(_canonical(fields, prev_hash), key)


HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "region_code",
    "result",
    "changes",
)


def hashed_content(row: dict) -> dict:
    """The fields covered by the hash, from a dict of an entry's column values."""
    content = {name: row[name] for name in HASHED_FIELDS}
    content["at"] = canonical_time(row["at"])
    return content
