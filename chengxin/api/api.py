"""The JSON API under /api/v1/: thin endpoints over the same services and selectors as the web pages.

Each endpoint parses its input (the schemas), finds the objects the request names with the web's permission
checks (selectors), calls one service or selector, and answers JSON. Every error, whatever raised it, is
answered in one shape by the handlers at the end of this module: {"detail": …, "errors": [{"field", "message"}]}.
"""

import hashlib
import json
from typing import Literal

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Header, NinjaAPI, Path, Query, Swagger, renderers
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.files import UploadedFile

from chengxin.activities.selectors import activities_published
from chengxin.analytics.selectors import completeness, totals
from chengxin.api import selectors
from chengxin.api.auth import AUTH
from chengxin.api.schemas import (
    AcceptIn,
    ActivityPageOut,
    CampaignOut,
    CampaignSummaryOut,
    CommitmentPageOut,
    CompletenessItemOut,
    ErrorOut,
    FormOut,
    ReportOut,
    ReportSubmitIn,
    ReportUpdateIn,
    ReturnIn,
    Totals,
    storable_text_problem,
)
from chengxin.api.services import IDEMPOTENCY_KEY_MAX_LENGTH, idempotent_write, request_fingerprint
from chengxin.campaigns.selectors import campaign_get
from chengxin.commitments.selectors import SEARCH_CAP, commitment_search
from chengxin.core.errors import DomainError, FieldError
from chengxin.reporting import services as reporting
from chengxin.statform.selectors import form_definition

DESCRIPTION = """
诚信兴商宣传月活动管理平台的 JSON 接口。活动以年度（如 2020）标识，单位以代码（如 440000、MOFCOM）标识。

**认证**（二选一）：

* 脚本：请求头 `Authorization: Bearer <API 令牌>`。令牌在 [/api/v1/tokens/](/api/v1/tokens/) 页面自行创建和撤销，
  或由管理员在服务器上用 `chengxin api-token 用户名 [--name 名称]` 创建、`chengxin api-token --revoke 前缀` 撤销；
  令牌只在创建时显示一次，账号停用后随即失效。系统管理员、安全管理员和审计员的账号不能使用 API 令牌
  （三权分立：他们不做报送工作），账号改为这三种角色后原有令牌随即失效。
* 浏览器：已登录的会话（Cookie）；写操作须在请求头 `X-CSRFToken` 中带上 csrftoken Cookie 的值。

权限与网页相同：单位只能看到本单位（及其下级单位）的报告，看不到的一律 404；审核由上级（商务部或上级单位）进行。

**幂等**：写操作可带请求头 `Idempotency-Key`（报送、退回、审核通过、上传总结报告必须带）。同一账号用同一个键
重发同一请求，得到第一次的结果（响应头 `Idempotent-Replayed: true`），不会重复报送；同一个键用于不同请求返回 422。
被拒绝的请求（4xx）不保存，改正后可用同一个键重发。键保留 24 小时（每天清理一次更早的键）。

**错误**一律为 JSON：`{"detail": "说明", "errors": [{"field": "字段或指标代码", "message": "说明"}]}`。
数据修改以 `version` 防止覆盖他人的修改：版本过期返回 409，什么也不保存。
"""


class JSONRenderer(renderers.JSONRenderer):
    # Chinese as it is, not as \uXXXX escapes: readable in a terminal, and a third of the size.
    json_dumps_params = {"ensure_ascii": False}


class ChengxinAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # The view's own name ("report_submit"), unique in this module, rather than ninja's module-qualified
        # "chengxin_api_api_report_submit": generated clients name their functions and models after it.
        return operation.view_func.__name__


api = ChengxinAPI(
    title="诚信兴商宣传月活动管理平台 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=AUTH,
    renderer=JSONRenderer(),
    # Swagger UI from ninja's own static files (ninja is in INSTALLED_APPS): no CDN.
    docs=Swagger(settings={"persistAuthorization": False}),
)

# A parameter's example is `example=` (one value): OpenAPI's Parameter Object takes `examples` only as a map of
# Example Objects, and a JSON Schema list there makes the document invalid.
YEAR = Path(..., ge=1990, le=2999, description="活动年度，如 2020", example=2020)
UNIT_CODE = Path(..., pattern=r"^[0-9A-Za-z_-]{1,20}$", description="单位代码，如 440000、MOFCOM", example="440000")
# The Idempotency-Key header is read as optional by ninja in every write, so that a missing key is the view's
# Chinese 400 (after the permission checks), not pydantic's 422; the document declares it, required or not as
# the view's _idempotency_key call decides, with _idempotent_write_openapi below.
IDEMPOTENCY_KEY = Header(None, alias="Idempotency-Key", max_length=IDEMPOTENCY_KEY_MAX_LENGTH, include_in_schema=False)
SUMMARY_FILE = File(..., description="总结报告文件（docx、pdf 或 wps）")


def _idempotent_write_openapi(*, key_required: bool) -> dict:
    """The OpenAPI of a write that runs under an idempotency key (ninja's `openapi_extra`, merged into the
    operation): the Idempotency-Key header, required or optional, and the Idempotent-Replayed header of an
    answer replayed from an earlier request with the same key (only successful answers are stored)."""
    requirement = "必填" if key_required else "可选"
    return {
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": key_required,
                "description": f"幂等键（{requirement}），如 UUID：英文字母、数字或符号，不超过 "
                f"{IDEMPOTENCY_KEY_MAX_LENGTH} 个字符。网络中断后用同一个键重发，不会重复操作。",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH,
                    "pattern": "^[!-~]+$",
                },
                "example": "3f0c1b1e-6a4d-4c8e-9a57-0d2f5c1e8b21",
            }
        ],
        "responses": {
            200: {
                "headers": {
                    "Idempotent-Replayed": {
                        "description": "为 true 时，这是同一 Idempotency-Key 的第一次请求的结果，本次没有再次执行",
                        "schema": {"type": "string", "enum": ["true"]},
                    }
                }
            }
        },
    }


def _errors(*codes: int) -> dict:
    return dict.fromkeys(codes, ErrorOut)


READ = _errors(401, 404, 422)
WRITE = _errors(400, 401, 403, 404, 409, 422)


class ApiError(HttpError):
    """A request the API itself refuses before any service runs (e.g. a missing header)."""

    def __init__(self, status: int, message: str, field: str = ""):
        super().__init__(status, message)
        self.field = field


# --- writes: one transaction with the idempotency key -----------------------------------------------------


_KEY_CHARACTERS = frozenset(chr(c) for c in range(0x21, 0x7F))


def _idempotency_key(raw: str | None, *, required: bool) -> str | None:
    """The request's Idempotency-Key: printable ASCII without spaces (a UUID is ideal), at most 255 characters."""
    key = (raw or "").strip()
    if not key:
        if required:
            raise ApiError(
                400,
                _("请在请求头 Idempotency-Key 中提供幂等键（如一个 UUID）；网络中断后用同一个键重发，不会重复操作"),
                "Idempotency-Key",
            )
        return None
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not set(key) <= _KEY_CHARACTERS:
        raise ApiError(
            400, _("Idempotency-Key 应为不超过 255 个字符的英文字母、数字或符号（如一个 UUID）"), "Idempotency-Key"
        )
    return key


def _write(request, key: str | None, content: bytes, write):
    """Run `write` under the idempotency key and answer its result, or the stored answer of an earlier request
    with the same key (marked `Idempotent-Replayed: true`)."""
    answer = idempotent_write(
        user=request.user,
        key=key,
        method=request.method,
        path=request.path,
        request_hash=request_fingerprint(request.method, request.path, content),
        write=write,
    )
    response = api.create_response(request, answer.body, status=answer.status)
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _canonical(payload) -> bytes:
    return json.dumps(payload.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()


def _check_figure_codes(report, values: dict) -> None:
    """Refuse figure codes the campaign's form does not have (the web form simply has no such cell; a script
    that misspells one should hear about it rather than have it ignored)."""
    known = form_definition(report.campaign).by_code
    unknown = [code for code in values if code not in known]
    if unknown:
        raise DomainError(
            _("有未知的指标代码，本次未保存"),
            errors=[FieldError(code, _("表中没有指标代码“%(code)s”") % {"code": code}) for code in unknown[:20]],
            status=422,
        )


# --- campaigns ------------------------------------------------------------------------------------------------


@api.get("/campaigns", auth=None, response=list[CampaignSummaryOut], tags=["活动"], summary="活动列表（公开）")
def campaign_list(request):
    return selectors.campaigns_json()


@api.get(
    "/campaigns/{year}",
    auth=None,
    response={200: CampaignOut, **_errors(404, 422)},
    tags=["活动"],
    summary="活动（公开）",
)
def campaign_detail(request, year: int = YEAR):
    return selectors.campaign_json(campaign_get(year))


@api.get("/campaigns/{year}/form", response={200: FormOut, **READ}, tags=["活动"], summary="统计表的定义")
def campaign_form(request, year: int = YEAR):
    return selectors.form_json(campaign_get(year))


# --- reports --------------------------------------------------------------------------------------------------


@api.get(
    "/campaigns/{year}/reports/{unit_code}",
    response={200: ReportOut, **READ},
    tags=["报送"],
    summary="单位的报告",
    description="本单位、上级单位和商务部可看；其他单位一律 404。",
)
def report_detail(request, year: int = YEAR, unit_code: str = UNIT_CODE):
    report, participant = selectors.report_for_reader(request, year, unit_code)
    return selectors.report_json(report, participant)


@api.put(
    "/campaigns/{year}/reports/{unit_code}",
    response={200: ReportOut, **WRITE},
    tags=["报送"],
    summary="保存草稿",
    openapi_extra=_idempotent_write_openapi(key_required=False),
    description="只有本单位的填报员可改。带上所修改的 version；版本过期返回 409，什么也不保存；"
    "有填写错误的单元格返回 422（errors 中逐格说明），也什么都不保存。",
)
def report_update(
    request,
    payload: ReportUpdateIn,
    year: int = YEAR,
    unit_code: str = UNIT_CODE,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    report, participant = selectors.report_for_reporter(request, year, unit_code)
    key = _idempotency_key(idempotency_key, required=False)
    _check_figure_codes(report, payload.values)

    def write():
        saved = reporting.report_save_draft(
            report=report,
            raw_values=payload.values,
            version=payload.version,
            acting_user=request.user,
            explanations=payload.explanations,
        )
        return 200, selectors.report_json(saved.report, participant, values=saved.values, findings=saved.findings)

    return _write(request, key, _canonical(payload), write)


@api.post(
    "/campaigns/{year}/reports/{unit_code}/summary",
    response={200: ReportOut, **WRITE},
    tags=["报送"],
    summary="上传总结报告",
    openapi_extra=_idempotent_write_openapi(key_required=True),
    description="multipart/form-data，文件字段名 file；docx、pdf 或 wps，按内容检查，最大 20 MB。"
    "须带 Idempotency-Key。",
)
def report_upload_summary(
    request,
    year: int = YEAR,
    unit_code: str = UNIT_CODE,
    file: UploadedFile = SUMMARY_FILE,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    report, participant = selectors.report_for_reporter(request, year, unit_code)
    key = _idempotency_key(idempotency_key, required=True)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    content = f"{file.name}\n{file.size}\n{digest.hexdigest()}".encode("utf-8", "surrogatepass")

    def write():
        summary = reporting.report_upload_summary(report=report, uploaded_file=file, acting_user=request.user)
        return 200, selectors.report_json(summary.report, participant)

    return _write(request, key, content, write)


@api.post(
    "/campaigns/{year}/reports/{unit_code}/submit",
    response={200: ReportOut, **WRITE},
    tags=["报送"],
    summary="报送",
    openapi_extra=_idempotent_write_openapi(key_required=True),
    description="错误须先改正，每条提示须有书面说明，须已上传总结报告；否则 422 并逐条说明。须带 Idempotency-Key。",
)
def report_submit(
    request,
    payload: ReportSubmitIn,
    year: int = YEAR,
    unit_code: str = UNIT_CODE,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    report, participant = selectors.report_for_reporter(request, year, unit_code)
    key = _idempotency_key(idempotency_key, required=True)

    def write():
        submitted = reporting.report_submit(
            report=report, version=payload.version, acting_user=request.user, explanations=payload.explanations
        )
        return 200, selectors.report_json(submitted, participant)

    return _write(request, key, _canonical(payload), write)


@api.post(
    "/campaigns/{year}/reports/{unit_code}/return",
    response={200: ReportOut, **WRITE},
    tags=["审核"],
    summary="退回",
    openapi_extra=_idempotent_write_openapi(key_required=True),
    description="审核人（商务部，或下级单位的上级单位）退回已报送的报告，须写明原因。须带 Idempotency-Key。",
)
def report_return(
    request,
    payload: ReturnIn,
    year: int = YEAR,
    unit_code: str = UNIT_CODE,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    report, participant = selectors.report_for_reader(request, year, unit_code)
    key = _idempotency_key(idempotency_key, required=True)

    def write():
        returned = reporting.report_return(report=report, reason=payload.reason, acting_user=request.user)
        return 200, selectors.report_json(returned, participant)

    return _write(request, key, _canonical(payload), write)


@api.post(
    "/campaigns/{year}/reports/{unit_code}/accept",
    response={200: ReportOut, **WRITE},
    tags=["审核"],
    summary="审核通过",
    openapi_extra=_idempotent_write_openapi(key_required=True),
    description="审核通过后报告锁定。须带 Idempotency-Key。",
)
def report_accept(
    request,
    payload: AcceptIn,
    year: int = YEAR,
    unit_code: str = UNIT_CODE,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    report, participant = selectors.report_for_reader(request, year, unit_code)
    key = _idempotency_key(idempotency_key, required=True)

    def write():
        accepted = reporting.report_accept(report=report, acting_user=request.user, reason=payload.reason.strip())
        return 200, selectors.report_json(accepted, participant)

    return _write(request, key, _canonical(payload), write)


# --- oversight ------------------------------------------------------------------------------------------------


@api.get(
    "/campaigns/{year}/totals",
    response={200: Totals, **READ},
    tags=["汇总"],
    summary="全国合计",
    description="商务部人员可看。数字指标为合计；文字指标（如展示方式）为 {方式: 单位数}。"
    "与 `chengxin totals --json` 相同。",
)
def campaign_totals(
    request,
    year: int = YEAR,
    status: Literal["submitted", "accepted", "all"] = Query(
        "submitted", description="submitted：已报送和已审核；accepted：仅已审核；all：含草稿"
    ),
):
    if not request.user.is_national:
        raise Http404
    return totals(campaign_get(year), status)


@api.get(
    "/campaigns/{year}/completeness",
    response={200: list[CompletenessItemOut], **READ},
    tags=["汇总"],
    summary="报送进度",
    description="商务部人员看直接向商务部报送的单位；带 under=单位代码 时看该单位的直接下级"
    "（商务部人员，或该单位及其上级单位的填报员）。与 `chengxin completeness --json` 相同。",
)
def campaign_completeness(
    request,
    year: int = YEAR,
    under: str | None = Query(None, pattern=r"^[0-9A-Za-z_-]{1,20}$", description="单位代码：列出其直接下级"),
):
    campaign = campaign_get(year)
    parent = selectors.completeness_parent(request.user, under)
    return [u.as_json() for u in completeness(campaign, under=parent).units]


# --- public ---------------------------------------------------------------------------------------------------


@api.get(
    "/campaigns/{year}/activities",
    auth=None,
    response={200: ActivityPageOut, **_errors(404, 422)},
    tags=["公开"],
    summary="已发布的活动（公开）",
)
def campaign_activities(
    request,
    year: int = YEAR,
    page: int = Query(1, ge=1, le=100_000, description="页码，从 1 开始"),
    per_page: int = Query(50, ge=1, le=200, description="每页条数，最多 200"),
):
    campaign = campaign_get(year)
    count, rows = selectors.page_of(activities_published(campaign), page, per_page)
    return {
        "campaign": campaign.year,
        "count": count,
        "page": page,
        "per_page": per_page,
        "items": [selectors.activity_json(a) for a in rows],
    }


@api.get(
    "/commitments",
    auth=None,
    response={200: CommitmentPageOut, **_errors(404, 422)},
    tags=["公开"],
    summary="诚信经营承诺查询（公开）",
    description="与公开查询页相同：18 位统一社会信用代码精确查找，其他按企业名称查找；只列出已公示和已撤回的承诺。",
)
def commitment_list(
    request,
    q: str = Query("", max_length=100, description="统一社会信用代码或企业名称"),
    match: Literal["contains", "prefix"] = Query("contains", description="名称包含（contains）或以其开头（prefix）"),
    year: int | None = Query(None, ge=1990, le=2999, description="活动年度；省略为最新一年"),
    page: int = Query(1, ge=1, le=100_000),
    per_page: int = Query(20, ge=1, le=100),
):
    if problem := storable_text_problem(q):
        raise ApiError(422, problem, "q")
    campaign = selectors.campaign_for_search(year)
    q = q.strip()
    count, rows = selectors.page_of(commitment_search(campaign=campaign, q=q, match=match), page, per_page)
    return {
        "campaign": campaign.year,
        "q": q,
        "match": match,
        "count": count,
        "capped": count >= SEARCH_CAP,
        "page": page,
        "per_page": per_page,
        "items": [selectors.commitment_json(c) for c in rows],
    }


# --- errors: one shape for all ------------------------------------------------------------------------------


def error_response(request, status: int, detail: str, errors=()):
    response = api.create_response(request, {"detail": str(detail), "errors": list(errors)}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="chengxin"'
    return response


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    # A broken rule about the request's content (the services' default 400) is 422 Unprocessable Content in
    # the API; 403, 404 and 409 (locked, not visible, stale version or wrong status) keep their meaning.
    status = 422 if exc.status == 400 else exc.status
    return api.create_response(request, exc.as_json(), status=status)


# pydantic's error types, in Chinese; %(…)s are filled from the error's context (the limit that was broken).
_VALIDATION_MESSAGES = {
    "missing": gettext_lazy("必填"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_type": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"),
    "string_type": gettext_lazy("应为字符串"),
    "string_unicode": gettext_lazy("包含无效的字符"),
    "dict_type": gettext_lazy("应为 JSON 对象"),
    "model_type": gettext_lazy("应为 JSON 对象"),
    "model_attributes_type": gettext_lazy("应为 JSON 对象"),
    "literal_error": gettext_lazy("应为以下之一：%(expected)s"),
    "string_pattern_mismatch": gettext_lazy("格式不对"),
    "greater_than_equal": gettext_lazy("不能小于 %(ge)s"),
    "less_than_equal": gettext_lazy("不能大于 %(le)s"),
    "string_too_long": gettext_lazy("不能超过 %(max_length)s 个字符"),
    "string_too_short": gettext_lazy("不能为空"),
    "too_long": gettext_lazy("最多 %(max_length)s 项"),
    "json_invalid": gettext_lazy("不是有效的 JSON"),
}


def _field(loc) -> str:
    """The field as the client wrote it: "version", "values.tv_news", "Idempotency-Key" (a refused dictionary
    key is reported on its dictionary: "values")."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "file", "form", "cookie"):
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    if parts and parts[-1] == "[key]":
        parts = parts[:-2]
    if parts == ["idempotency_key"]:
        return "Idempotency-Key"
    return ".".join(parts)


def _validation_message(error: dict) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "value_error":  # our own validators' messages, already in Chinese
        return str(context.get("error", "")) or error.get("msg", "")
    template = _VALIDATION_MESSAGES.get(kind)
    if template is None:
        return _("格式不对：%(message)s") % {"message": error.get("msg", "")}
    try:
        return str(template) % context
    except (KeyError, TypeError, ValueError):
        return str(template)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [{"field": _field(e.get("loc", ())), "message": _validation_message(e)} for e in exc.errors[:50]]
    return error_response(request, 422, _("请求内容有误，请按 errors 中的说明修改"), errors)


@api.exception_handler(AuthenticationError)
def _authentication_error(request, exc: AuthenticationError):
    message = (
        exc.message
        if exc.message != "Unauthorized"
        else _("请先登录，或在请求头中提供 Authorization: Bearer <API 令牌>")
    )
    return error_response(request, 401, message)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("请求体不是有效的 JSON")
    field = getattr(exc, "field", "")
    return error_response(request, exc.status_code, message, [{"field": field, "message": message}] if field else [])


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, _("没有找到，或您无权查看"))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error_response(request, 403, _("您无权进行此操作"))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    # Django's request-size limits (RequestDataTooBig, TooManyFieldsSent) and malformed requests.
    return error_response(request, 400, _("请求无法处理（过大或格式不对）"))


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request, exc):
    return error_response(request, 400, _("上传的 multipart/form-data 请求格式不对"))
