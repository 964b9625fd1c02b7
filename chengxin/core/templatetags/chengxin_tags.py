from django import template

from chengxin.core.numbers import format_number

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dict lookup by a variable key."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def number(value):
    """Thousands-separated whole number; a dash for nothing."""
    if value is None or value == "":
        return "—"
    return format_number(int(value))


@register.filter
def percent(value):
    return f"{value:.1%}"
