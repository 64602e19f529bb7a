"""Who is acting and from where, for audit entries written deep inside services."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None
    path: str


current_request: ContextVar[RequestInfo | None] = ContextVar("anju_request", default=None)
