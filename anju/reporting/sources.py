"""Where each report's numbers come from: a registry the data-owning apps fill.

The ledger registers Annexes 1 and 2 and the monthly progress report. A report kind
with no registered source cannot be prepared (the clerk is told why); nothing is ever made up.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Content:
    """What a source hands to the workflow: numbers to store and the file to freeze."""

    values: dict
    xlsx: bytes
    problems: list[str] = field(default_factory=list)  # disagreements to explain in 备注


# (district, period, remarks, signature=None) -> content; the signature (填表人 / 联系电话 /
# 单位分管负责人 / 填报时间) is given when the file is frozen at submission.
Source = Callable[..., Content]

_SOURCES: dict[str, Source] = {}


def register(kind: str, source: Source) -> None:
    _SOURCES[kind] = source


def unregister(kind: str) -> None:
    _SOURCES.pop(kind, None)


def source_for(kind: str) -> Source | None:
    return _SOURCES.get(kind)
