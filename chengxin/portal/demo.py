"""The demo data's cases (development only, with `make run`'s demo year and `chengxin demo-data`): one published
case of each kind in the campaign given, from the units a newcomer signs in as, two with a photo, so that the
case library, the moderation page and the case book (案例汇编) have something to show. Written directly, as the
rest of the demo data; idempotent (by title)."""

import datetime as dt
import hashlib
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from chengxin.core.public_cache import portal_cache_bump
from chengxin.portal.models import Case, CaseKind, CasePhoto, CaseStatus
from chengxin.units.models import Unit

DEMO_MARK = "（演示数据）"
CASES = (
    (CaseKind.TYPICAL, "commerce", "310000", "老字号门店推行“明码标价、无理由退货”承诺", 10, True),
    (CaseKind.STAR, "market", "440000", "农贸市场摊主二十年公平秤不缺斤短两", 14, True),
    (CaseKind.OLD_SHOP, "culture_tourism", "110000", "百年老店坚持货真价实、童叟无欺", 18, False),
    (CaseKind.PRACTICE, "customs", "GACC", "海关信用培育助企业享受便利通关", 22, False),
)


def _photo(colour: tuple[int, int, int]) -> bytes:
    """A plain picture standing in for a real photo (a coloured field with a frame)."""
    image = Image.new("RGB", (960, 640), colour)
    ImageDraw.Draw(image).rectangle((40, 40, 920, 600), outline=(255, 255, 255), width=12)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def demo_cases_ensure(campaign, *, by=None) -> int:
    """The demo cases of `campaign` (published), made unless there; returns how many were made."""
    made = 0
    for kind, domain, code, title, day, with_photo in CASES:
        unit = Unit.objects.filter(code=code).first()
        full_title = f"{title}{DEMO_MARK}"
        if unit is None or Case.objects.filter(title=full_title, campaign=campaign).exists():
            continue
        when = timezone.make_aware(dt.datetime(campaign.period_start.year, campaign.period_start.month, day, 10))
        case = Case.objects.create(
            kind=kind,
            domain=domain,
            title=full_title,
            summary=f"{unit.name}报送的{CaseKind(kind).label}（演示数据，非真实案例）。",
            body=(
                f"{title}。\n本案例为演示数据，用来展示案例库、案例审核和案例汇编的样子。\n"
                "真实案例由各单位在“本单位案例”中撰写、附照片后报送，经商务部审核发布。"
            ),
            source_body=unit,
            case_date=when.date(),
            campaign=campaign,
            status=CaseStatus.PUBLISHED,
            submitted_at=when,
            published_at=when,
            published_by=by,
        )
        if with_photo and by is not None:
            data = _photo((178, 34, 34) if made % 2 == 0 else (34, 90, 150))
            photo = CasePhoto(
                case=case, caption="活动现场（示意图）", position=0, original_name="现场.jpg", kind="jpeg",
                size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by=by,
            )  # fmt: skip
            photo.file.save("demo.jpg", ContentFile(data), save=False)
            photo.save()
        made += 1
    if made:
        portal_cache_bump()
    return made


def demo_cases_remove() -> int:
    """Remove the demo cases with their photos' files; returns how many cases."""
    cases = Case.objects.filter(title__endswith=DEMO_MARK)
    for photo in CasePhoto.objects.filter(case__in=cases):
        photo.file.delete(save=False)
        photo.delete()
    count = cases.count()
    cases.delete()
    if count:
        portal_cache_bump()
    return count
