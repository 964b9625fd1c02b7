from django.conf import settings
from django.utils.translation import gettext as _

from chengxin.campaigns.selectors import campaign_current
from chengxin.units.selectors import unit_has_sub_units


def navigation(request):
    """What the header needs on every page."""
    user = getattr(request, "user", None)
    has_sub_units = bool(
        user is not None
        and user.is_authenticated
        and user.unit_id
        and not user.is_national
        and unit_has_sub_units(user.unit_id)
    )
    return {
        "user_has_sub_units": has_sub_units,
        "current_campaign": campaign_current(),
        "system_name": _("诚信兴商宣传月活动管理平台"),
        "production": settings.PRODUCTION,
    }
