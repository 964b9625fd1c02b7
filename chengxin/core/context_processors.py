from django.conf import settings
from django.utils.translation import gettext as _


def navigation(request):
    """What the header needs on every page."""
    from chengxin.campaigns.selectors import campaign_current

    return {
        "current_campaign": campaign_current(),
        "system_name": _("诚信兴商宣传月活动管理平台"),
        "production": settings.PRODUCTION,
    }
