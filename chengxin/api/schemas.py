"""The shapes of the API's requests and answers, as the OpenAPI document describes them."""

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import AfterValidator, Field, PlainSerializer, PlainValidator, StringConstraints, WithJsonSchema

from chengxin.core.inputs import MAX_TEXT, storable_text_problem

# --- inputs ---------------------------------------------------------------------------------------------------


def _no_nul(value: str) -> str:
    problem = storable_text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Text = Annotated[str, StringConstraints(max_length=MAX_TEXT), AfterValidator(_no_nul)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_no_nul)]


def _figure_input(value: Any) -> str | int | float | None:
    """A typed cell: text as a person types it ("1.2万", "12,345", "展板、手册"), a number, or null (empty).
    The reporting service parses it exactly as it parses the web form."""
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValueError(str(_("不能超过 %(max)d 个字符") % {"max": MAX_TEXT}))
        return _no_nul(value)
    raise ValueError(str(_("应为数字、文字或 null")))


FigureInput = Annotated[
    str | int | float | None,
    PlainValidator(_figure_input),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "maxLength": MAX_TEXT}, {"type": "number"}, {"type": "null"}],
            "description": "数字，或按纸质表格的写法填写的文字（如 12345、12,345、1.2万、3400人次）；null 为空",
        }
    ),
]
Version = Annotated[int, Field(ge=0, le=2_147_483_647)]


class ReportUpdateIn(Schema):
    version: Version = Field(description="所修改的报告版本（GET 得到的 version）；已被他人修改时返回 409")
    values: dict[Code, FigureInput] = Field(
        max_length=200, description="指标代码 → 数值；只改给出的指标；未知的指标代码返回 422"
    )
    explanations: dict[Code, Text] | None = Field(
        default=None, max_length=200, description="提示（warning）规则代码 → 书面说明；省略则不改"
    )


class ReportSubmitIn(Schema):
    version: Version | None = Field(default=None, description="所报送的报告版本；省略则不检查")
    explanations: dict[Code, Text] | None = Field(
        default=None, max_length=200, description="提示规则代码 → 书面说明；省略则沿用已保存的说明"
    )


class ReturnIn(Schema):
    reason: Text = Field(description="退回原因，单位将看到这段说明")


class AcceptIn(Schema):
    reason: Text = Field(default="", description="审核意见（可选），记入报告历史")


# --- answers --------------------------------------------------------------------------------------------------


def _isoformat(value: dt.date) -> str:
    return value.isoformat()


# Times and dates: typed (the document says `format: date-time` / `format: date`, so generated clients parse them),
# written exactly as the selectors write them, `value.isoformat()` (e.g. 2020-11-20T03:04:05.123456+00:00 and
# 2020-11-25): the same text whether an answer goes through these schemas or is replayed from its stored JSON.
DateTime = Annotated[
    dt.datetime,
    PlainSerializer(_isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Date = Annotated[
    dt.date,
    PlainSerializer(_isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class CampaignSummaryOut(Schema):
    year: int
    title: str
    theme: str
    period_start: Date
    period_end: Date
    notice_date: Date
    deadline: Date
    lock_date: Date | None
    totals_published_at: DateTime | None


class SectionOut(Schema):
    number: int
    title: str
    body: str


class PlanActivityOut(Schema):
    number: int
    title: str
    lead_body: str
    lead_body_name: str
    description: str


class UnitRefOut(Schema):
    code: str
    name: str


class ContactOut(Schema):
    name: str
    department: str
    phone: str
    fax: str


class CampaignOut(CampaignSummaryOut):
    notice_title: str
    receiver: str
    contact: ContactOut
    bodies: list[UnitRefOut]
    focus_areas: list[SectionOut]
    requirements: list[SectionOut]
    plan: list[PlanActivityOut]


class GroupOut(Schema):
    label: str
    figures: list[str] = Field(description="本行的指标代码")
    groups: list["GroupOut"]


GroupOut.model_rebuild()


class FigureOut(Schema):
    code: str
    label: str
    kind: str = Field(description="number（整数）或 text（文字）")
    unit: str = Field(description="计量单位")
    path: str = Field(description="纸质表格上的单元格名称")
    help_text: str


class RuleOut(Schema):
    code: str
    left: str
    operator: str
    right: str
    severity: str = Field(description="error 阻止报送；warning 须书面说明")
    anchor: str
    message: str


class FormOut(Schema):
    campaign: int
    title: str
    groups: list[GroupOut]
    figures: list[FigureOut]
    rules: list[RuleOut]


class FindingOut(Schema):
    rule: str
    severity: str
    figure: str
    message: str


class ReportOut(Schema):
    campaign: int
    unit: str
    unit_name: str
    status: str = Field(description="not_started / draft / submitted / returned / accepted")
    status_label: str
    version: int
    late: bool
    submitted_at: DateTime | None
    return_reason: str
    fills_statistics: bool
    values: dict[str, int | str | None]
    explanations: dict[str, str]
    summary: bool = Field(description="是否已上传总结报告")
    findings: list[FindingOut]


class CompletenessItemOut(Schema):
    code: str
    name: str
    kind: str
    status: str
    submitted_at: DateTime | None
    late: bool


class ActivityOut(Schema):
    id: int
    title: str
    unit: str
    unit_name: str
    plan_activity: int | None
    plan_activity_title: str | None
    start_date: Date
    end_date: Date
    region_code: str
    mode: str
    mode_label: str


class ActivityPageOut(Schema):
    campaign: int
    count: int
    page: int
    per_page: int
    items: list[ActivityOut]


class CommitmentOut(Schema):
    name: str
    uscc: str
    region_code: str
    region: str
    industry: str
    industry_label: str
    signed_at: DateTime
    status: str
    status_label: str
    withdrawn_at: DateTime | None


class CommitmentPageOut(Schema):
    campaign: int
    q: str
    match: str
    count: int
    capped: bool = Field(description="匹配超过上限时为 true（只列出前若干条，请输入更完整的名称）")
    page: int
    per_page: int
    items: list[CommitmentOut]


Totals = dict[str, int | dict[str, int]]
