"""Helpers for the activity tests: typed fields of a valid activity, and real-looking photo bytes."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from chengxin.activities import services
from chengxin.units.models import Unit

PLAN_TEXT = "入场测温、扫健康码、佩戴口罩，场内人数不超过两百人，设置一米间隔并配备消毒用品。"

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 32


def raw(**overrides) -> dict[str, str]:
    """The fields of a valid offline activity as typed in the form (strings)."""
    values = {
        "title": "诚信兴商宣传月广东启动仪式",
        "plan_activity": "",
        "start_date": "2020-10-10",
        "end_date": "2020-10-10",
        "region_code": "440100",
        "place": "广州市天河区",
        "mode": "offline",
        "organiser": "广东省商务厅",
        "audience": "企业、消费者",
        # Outputs, named by the code of the statistics figure they add up to (the 2020 form's activity figures).
        "meeting_sessions": "2",
        "meeting_attendance": "600",
        "print_news": "3",
        "tv_news": "1",
        "radio_broadcasts": "0",
        "web_news": "12",
        "videos": "2",
        "live_sessions": "1",
        "live_viewers": "1.2万",
        "links": "https://www.mofcom.gov.cn/article/a.html\n\nhttp://gdii.gd.gov.cn/b.html",
        "epidemic_plan_text": "",
    }
    values.update(overrides)
    return values


def create(campaign, user, unit_code: str = "440000", plan_file=None, **overrides):
    """A draft of `unit_code`, held where that unit may hold it (in its own province unless a region is given)
    and, unless dates are given, on the factory's day moved into the campaign's year."""
    unit = Unit.objects.get(code=unit_code)
    if unit.region_code and unit.region_code[:2] != raw()["region_code"][:2]:  # 广东's units keep 广州 (440100)
        overrides.setdefault("region_code", unit.region_code)
    day = dt.date(2020, 10, 10).replace(year=campaign.period_start.year).isoformat()
    overrides.setdefault("start_date", day)
    overrides.setdefault("end_date", day)
    return services.activity_create(
        campaign=campaign,
        unit=unit,
        raw=raw(**overrides),
        acting_user=user,
        plan_file=plan_file,
    )


def published(campaign, user, unit_code: str = "440000", **overrides):
    overrides.setdefault("epidemic_plan_text", PLAN_TEXT)
    activity = create(campaign, user, unit_code, **overrides)
    return services.activity_publish(activity=activity, acting_user=user)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


__all__ = ["JPEG", "PLAN_TEXT", "PNG", "create", "dt", "published", "raw", "upload"]
