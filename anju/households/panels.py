"""What the apps above add to a household's page (the cross-check's findings, the assessment
tasks, the cadres' observations): each registers, in its AppConfig.ready(), a function
(user, household) -> template context, scoped by its own access policy. The registry stands
below them, so it never imports them."""

from collections.abc import Callable

Panel = Callable[..., dict]  # (user, household) -> context for households/detail.html

_PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def context(user, household) -> dict:
    """Every registered panel's context for this household, as the user may see it."""
    found: dict = {}
    for panel in _PANELS:
        found.update(panel(user, household))
    return found
