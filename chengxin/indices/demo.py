"""The demo data's integrity index (`chengxin demo-data`): 上海购物诚信指数 of 上海市, monthly for 2020, with one
correction, as the notice's launch ceremony published it. Written directly (demo data writes behind the services,
as the rest of chengxin.site.demo_data does); idempotent."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from chengxin.core.public_cache import portal_cache_bump
from chengxin.indices.models import IndexRelease, IndexValue, IntegrityIndex, ReleaseStatus
from chengxin.units.models import Unit

CODE = "sh-shopping"
REGIONS = {"000000": "全国", "310000": "上海市"}
METHOD = (
    "以上海市重点商圈和电商平台的消费投诉率、价格监测合格率、商户信用承诺履约率和消费者满意度调查为基础，"
    "各项指标标准化后按权重加权平均编制，以 2015 年为基期（=100）。数值越高表示购物环境的诚信水平越高。"
)


def _values(release: IndexRelease, october: Decimal) -> list[IndexValue]:
    rows = []
    for month in range(1, 11):
        national = Decimal("101.0") + Decimal("0.2") * month
        shanghai = october if month == 10 else national + Decimal("2.5") + Decimal("0.1") * (month % 3)
        for code, value in (("000000", national), ("310000", shanghai)):
            rows.append(
                IndexValue(
                    release=release,
                    period=f"2020-{month:02d}",
                    period_key=202000 + month,
                    region_code=code,
                    region_name=REGIONS[code],
                    value=value,
                )
            )
    return rows


def demo_index_ensure() -> IntegrityIndex | None:
    """Create the demo index with two releases (the first superseded by a correction of 上海市's October value)
    unless it is there; None when 上海市 is not a unit of this database."""
    unit = Unit.objects.filter(code="310000").first()
    if unit is None:
        return None
    index = IntegrityIndex.objects.filter(code=CODE).first()
    if index is not None:
        return index
    index = IntegrityIndex.objects.create(
        code=CODE,
        name="上海购物诚信指数",
        publisher=unit,
        frequency="month",
        unit_of_measure="点",
        base_period="2015年",
        base_value=Decimal("100"),
        method=METHOD,
        description="2020年“诚信兴商宣传月”启动仪式上发布。（演示数据）",
    )
    tz = ZoneInfo("Asia/Shanghai")
    first_at, second_at = datetime(2020, 10, 28, 10, tzinfo=tz), datetime(2020, 11, 6, 15, tzinfo=tz)
    first = IndexRelease.objects.create(
        index=index, version=1, status=ReleaseStatus.SUPERSEDED, source_name="上海购物诚信指数-2020年1-10月.xlsx",
        row_count=20, submitted_at=first_at, reviewed_at=first_at, published_at=first_at, superseded_at=second_at,
    )  # fmt: skip
    second = IndexRelease.objects.create(
        index=index, version=2, status=ReleaseStatus.PUBLISHED, source_name="上海购物诚信指数-2020年1-10月-修订.xlsx",
        row_count=20, submitted_at=second_at, reviewed_at=second_at, published_at=second_at, replaces=first,
        revision_note="10月上海市样本中两家商场的投诉数据重复计入，已剔除重算：10月上海市指数由 104.2 更正为 104.6。",
    )  # fmt: skip
    IndexValue.objects.bulk_create([*_values(first, Decimal("104.2")), *_values(second, Decimal("104.6"))])
    portal_cache_bump()
    return index
