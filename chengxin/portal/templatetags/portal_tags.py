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


@register.simple_tag
def campaign_logos(campaign) -> dict:
    """The campaign's uploaded logo files by kind ("png", "svg"): every page that mentions the logo links the
    uploaded files, not the ministry's old website (`{% campaign_logos campaign as logos %}`)."""
    from chengxin.portal.selectors import campaign_logos as uploaded

    return uploaded(campaign)
