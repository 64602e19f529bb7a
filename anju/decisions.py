"""Deciding an item that two people may decide at once (approve/reject a change, confirm/dismiss a
finding, act on an observation): the decision is taken on the row locked for the rest of the
transaction, read again after the lock, so the second person waits for the first and then sees
their result instead of overwriting it (PostgreSQL: SELECT … FOR UPDATE; SQLite: every write
transaction holds the database's write lock from BEGIN IMMEDIATE, so the re-read is as good)."""

from django.core.exceptions import ValidationError
from django.db import models

TAKEN = "已由他人处理"


def lock_for_decision(obj: models.Model) -> None:
    """Lock obj's row until the caller's transaction ends and reload it (call inside atomic)."""
    list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
    obj.refresh_from_db()


def taken(what: str, state: str, *, by_id=None, actor=None) -> ValidationError:
    """The loser's message: someone else decided first, and what they decided (or, when the
    decider was the same person, e.g. a form sent twice, that it is already done)."""
    if actor is not None and by_id == actor.pk:
        return ValidationError(f"{what}您已处理过（现为「{state}」）。")
    return ValidationError(f"{what}{TAKEN}（现为「{state}」），请刷新页面查看。")
