from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_if_any(name: str, *args) -> str:
    """The URL of a named route, or "" when the route does not exist (a part of the product not installed)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
