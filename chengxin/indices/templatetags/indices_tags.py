"""Numbers of the indices as people read them: 101.5, not 101.5000; a change with its sign (+0.6, −1.2)."""

from decimal import Decimal

from django import template

register = template.Library()


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


@register.filter
def index_number(value) -> str:
    if value is None or value == "":
        return "—"
    return _plain(Decimal(value))


@register.filter
def index_change(value) -> str:
    """+0.6, −1.2 (a minus sign, not a hyphen), 0; — when there is nothing to compare with."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if value > 0:
        return "+" + _plain(value)
    if value < 0:
        return "−" + _plain(-value)
    return "0"


@register.filter
def index_pct(value) -> str:
    """A rate of change in per cent with two decimals and its sign: +0.30%, −1.25%; — when there is none."""
    if value is None or value == "":
        return "—"
    value = Decimal(value).quantize(Decimal("0.01"))
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{abs(value)}%"


@register.filter
def change_class(value) -> str:
    if value is None or value == "":
        return "flat"
    return "up" if Decimal(value) > 0 else "down" if Decimal(value) < 0 else "flat"
