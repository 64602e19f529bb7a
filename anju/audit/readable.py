"""An audit entry as a person reads it: the object's kind and each changed field in Chinese, the
value before beside the value after, and the operator's name beside the login name."""

import json
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist

# Keys that services record and that are not a model field of the object (or not only one).
COMMON = {
    "status": "状态",
    "reason": "理由",
    "note": "备注",
    "comment": "意见",
    "roles": "角色",
    "region": "区划",
    "purpose": "用途",
    "count": "数量",
    "rows": "行数",
    "file": "文件",
    "file_name": "文件名",
    "sha256": "SHA-256",
    "username": "用户名",
    "full_name": "姓名",
    "is_active": "启用",
    "grade": "危险等级",
    "kind": "类型",
    "clue": "问题线索",
    "period": "报表期",
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str
    changed: bool


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def kind_of(object_type: str) -> str:
    """「农户」 for households.household; the code itself when it names no model."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model else object_type


def _label(model, key: str) -> str:
    if model is not None:
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            pass
    return COMMON.get(key, key)


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def changes_of(entry) -> list[Change]:
    """One row per field named before or after, in the order they were recorded."""
    data = entry.changes or {}
    before = data.get("before") if isinstance(data.get("before"), dict) else {}
    after = data.get("after") if isinstance(data.get("after"), dict) else {}
    model = _model(entry.object_type)
    keys = list(dict.fromkeys([*before, *after]))
    return [
        Change(
            field=key,
            label=_label(model, key),
            before=_text(before.get(key)),
            after=_text(after.get(key)),
            changed=before.get(key) != after.get(key),
        )
        for key in keys
    ]


def actor_name(entry) -> str:
    """The person's name beside the login name (`林经办（zp_clerk）`); the login name alone for a
    command-line operator or a removed account."""
    if entry.actor_id:
        user = get_user_model().objects.filter(pk=entry.actor_id).first()
        name = getattr(user, "full_name", "") if user else ""
        if name:
            return f"{name}（{entry.actor_username}）"
    return entry.actor_username or "—"
