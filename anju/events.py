"""Domain events: how an app says what happened without knowing who listens.

An app may import only the apps below it (README, Layout). When a change below must make
something happen above (any write to the registry moves the overview's tally; an assessment
closes its task; a visit's finding opens a problem-list item), the lower app announces an event
and the higher app subscribes to it in its `AppConfig.ready()`.

Delivery is synchronous, in the announcing caller's transaction and in the order the receivers
subscribed: a receiver's writes commit or roll back with the change that caused them, so nothing
is lost and nothing is counted twice, and a receiver's error fails the change like any other
error in it. Events carry ids and facts (region codes, household ids, a finding's text), never
model instances of the apps above.
"""

from collections.abc import Callable
from typing import Any


class Event:
    """One kind of thing that happened. `facts` names the keyword arguments every announcement
    carries (checked, so a receiver can rely on them)."""

    def __init__(self, name: str, facts: tuple[str, ...], doc: str) -> None:
        self.name = name
        self.facts = frozenset(facts)
        self.__doc__ = doc
        self._receivers: list[Callable[..., Any]] = []

    def __repr__(self) -> str:
        return f"<Event {self.name}>"

    def subscribe(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add a receiver (once: an app's ready() may run more than once in tests)."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def unsubscribe(self, receiver: Callable[..., Any]) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    @property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._receivers)

    def announce(self, **facts: Any) -> list[Any]:
        """Deliver to every receiver now, in the caller's transaction. Returns what the receivers
        answered, in order (the list import records how many tasks its list opened)."""
        if set(facts) != self.facts:
            raise TypeError(f"{self.name} carries {sorted(self.facts)}, not {sorted(facts)}")
        return [receiver(**facts) for receiver in tuple(self._receivers)]
