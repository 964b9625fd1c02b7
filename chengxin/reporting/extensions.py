"""What the apps above reporting add to a report's entry page, without reporting importing them (the layers,
README "Layout"): each registers a function in its AppConfig.ready; the page merges what they return over the
defaults below, which say what the template reads when no app adds anything."""

from collections.abc import Callable

DEFAULTS = {
    "suggested": {},  # figure code → sum of the unit's published activities (activities)
    "breakdown": None,  # what a unit with sub-units reports upward (analytics)
    "breakdown_figures": [],
}

_extras: list[Callable[..., dict]] = []


def register_entry_page_extra(function: Callable[..., dict]) -> Callable[..., dict]:
    """`function(*, campaign, unit, participant, definition) -> dict` of template context."""
    if function not in _extras:
        _extras.append(function)
    return function


def entry_page_extras(*, campaign, unit, participant, definition) -> dict:
    context = dict(DEFAULTS)
    for function in _extras:
        context.update(function(campaign=campaign, unit=unit, participant=participant, definition=definition))
    return context
