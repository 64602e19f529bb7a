"""Where each report's numbers come from: a registry the data-owning apps fill.

The ledger registers Annexes 1 and 2 and the monthly progress report. A report kind
with no registered source cannot be prepared (the clerk is told why); nothing is ever made up.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from anju.regions.models import Region


@dataclass
class Content:
    """What a source hands to the workflow: numbers to store and the file to freeze."""

    values: dict
    xlsx: bytes
    problems: list[str] = field(default_factory=list)  # disagreements to explain in 备注


Source = Callable[[Region, date, str], Content]  # (district, period, remarks) -> content

_SOURCES: dict[str, Source] = {}


def register(kind: str, source: Source) -> None:
    _SOURCES[kind] = source


def unregister(kind: str) -> None:
    _SOURCES.pop(kind, None)


def source_for(kind: str) -> Source | None:
    return _SOURCES.get(kind)
