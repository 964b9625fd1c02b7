"""Template filters of the import pages."""

from django import template

from chengxin.core.numbers import format_number

register = template.Library()


@register.filter
def figure_value(value):
    """A figure's value as the preview shows it: a whole number thousands-separated (15000 → 15,000), a text
    (display methods) as it is, nothing for no value."""
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    return "" if value is None else value
