"""Who may open what: every URL of the project (the API's routes included), walked for every persona.

The table below is the one place that says, for each (URL, method), what each persona gets:

- anonymous: sent to the login page (public pages: shown);
- alice, reporter of 广东省 (440000) and the province reviewer of its cities (广州市, 佛山市): with 北京市's
  (110000) identifiers she gets 404 and nothing of Beijing's changes; she reviews 广州市;
- bob, reporter of 北京市: his own pages work; the ministry's pages are 404 for him, even for his own unit;
- frank, reporter of 广州市, a city under 广东省: like alice for Beijing; his own city's report he fills but does
  not review;
- carol, national reviewer: reads every unit, reviews the units that report to the ministry; the administrator's
  settings page is 404 for her; a city's report she reads but does not review (403);
- dave, national administrator: everything the reviewer does, plus the settings page;
- ivan (auditor), sysadmin, secadmin (security administrator): the separated administrative roles
  (三权分立); none of them does reporting work: each reaches only its own pages, the account pages and the public.

Every persona signs in as in production, with the password and a verified second factor (TOTP).

A POST that a persona may not make must leave everything as it was; the same POST by a persona who may make
it must change something (so that "unchanged" is a real check). Each request runs in a savepoint that is
rolled back, so every row starts from the same state. A URL that the project serves but the table does not name
fails `test_the_table_covers_every_url`.
"""

import html
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse

from chengxin.activities.models import Activity, ActivityOutputValue, ActivityPhoto
from chengxin.audit.middleware import auditor_may_post
from chengxin.campaigns.models import Campaign, Participant
from chengxin.commitments.models import Commitment
from chengxin.conftest import VALID_FIGURES, make_docx, make_pdf, submitted_report, totp_device
from chengxin.notifications.models import Notice, Reminder
from chengxin.portal.models import CampaignLogo, Case, CasePhoto
from chengxin.reporting import services
from chengxin.reporting.models import Report, ReportEvent, SummaryFile
from chengxin.reporting.selectors import report_values
from chengxin.statform.models import Figure

pytestmark = pytest.mark.django_db

LOGIN = "login"  # expected: a redirect to the login page
ADMIN_PERSONAS = ("ivan", "sysadmin", "secadmin")  # auditor, system administrator, security administrator
TOM = {"pk": 9100}  # a second reporter of 北京市, the security administrator's subject
APPROVAL = 9200  # the system administrator's request that tom become a national reviewer, pending
AUDIO = 410 if shutil.which("flite") else 404  # the spoken captcha of an unknown key: gone; without flite: none
PERSONAS = ("anonymous", "alice", "bob", "frank", "carol", "dave", *ADMIN_PERSONAS)
URL_MODULES = (
    "chengxin.reporting.urls",
    "chengxin.analytics.urls",
    "chengxin.campaigns.urls",
    "chengxin.workbooks.urls",
    "chengxin.notifications.urls",
    "chengxin.portal.urls",
    "chengxin.activities.urls",
    "chengxin.commitments.urls",
    "chengxin.indices.urls",
)

BEIJING = {"year": 2020, "unit_code": "110000"}
GUANGZHOU = {"year": 2020, "unit_code": "440100"}  # a city under alice's province
BOBS_JOB = "3f0c1d2e-0000-4000-8000-000000000b0b"  # a finished preview of Beijing's workbook, bob's
YEAR = {"year": 2020}
ACTIVITY = {"year": 2020, "pk": 9001}
FIRST = {"year": 2020, "number": 1}  # the first focus area, requirement or plan activity
EIGHTH = {"year": 2020, "number": 8}  # plan activity 8, which bob's activity 9001 is registered under
# Integrity indices: 北京市's bj-price has version 1 published (release 9300), 2 submitted (9301) and 3 a draft
# (9302), and bob's upload INDEX_UPLOAD waiting for its preview; bj-new has no release yet (still editable).
INDEX = {"code": "bj-price"}
INDEX_UPLOAD = "5e1ec7ed-0000-4000-8000-0000000019d0"


def _bobs_indices(bob, carol) -> None:
    from chengxin.indices.models import IndexRelease, IndexUpload, IndexValue
    from chengxin.indices.services import release_publish, upload_stage
    from chengxin.indices.tests.builders import csv_bytes, make_index, make_release, monthly_rows

    index = make_index(bob, code="bj-price", name="北京消费诚信指数")
    make_index(bob, code="bj-new", name="北京餐饮诚信指数")
    for pk, months, submit in (
        (9300, [("2020-09", "101"), ("2020-10", "102")], True),
        (9301, [("2020-11", "103")], True),
        (9302, [("2020-12", "104")], False),
    ):
        rows = monthly_rows(months=months, regions=("000000", "110000"))
        release = make_release(index, bob, csv_bytes(rows), submit=submit)
        IndexRelease.objects.filter(pk=release.pk).update(id=pk)
        IndexValue.objects.filter(release_id=release.pk).update(release_id=pk)
        if pk == 9300:
            release_publish(release=IndexRelease.objects.get(pk=pk), acting_user=carol)
    content = csv_bytes(monthly_rows(months=[("2021-01", "105")], regions=("000000",)))
    upload = upload_stage(index=index, name="北京.csv", content=content, acting_user=bob)
    IndexUpload.objects.filter(pk=upload.pk).update(id=INDEX_UPLOAD)


def _index_post() -> dict:
    return {
        "code": "bj-new",
        "name": "北京餐饮诚信指数（更名）",
        "frequency": "month",
        "unit_of_measure": "点",
        "base_period": "2018年",
        "base_value": "100",
        "method": "按月抽样调查。",
    }


def _index_upload_post() -> dict:
    from chengxin.indices.tests.builders import csv_bytes, monthly_rows

    return {"file": SimpleUploadedFile("北京.csv", csv_bytes(monthly_rows(months=[("2021-02", "106")])))}


def _activity_post(**changes) -> dict:
    from chengxin.activities.tests.factories import PLAN_TEXT, raw

    data = raw(region_code="", epidemic_plan_text=PLAN_TEXT, **{k: v for k, v in changes.items() if k != "unit"})
    return {**data, **({"unit": changes["unit"]} if "unit" in changes else {})}


def _logo_post() -> dict:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="2" height="2"/></svg>'
    return {"kind": "svg", "file": SimpleUploadedFile("标识.svg", svg)}


def _case_post() -> dict:
    return {
        "kind": "star",
        "domain": "commerce",
        "title": "老字号明码标价",
        "summary": "三十年无投诉。",
        "body": "正文。",
        "case_date": "2020-10-15",
        "action": "submit",
    }


def _bobs_cases_and_the_logo(campaign, bob, dave) -> None:
    import datetime as dt

    from chengxin.portal.models import Case
    from chengxin.portal.services import case_save, logo_upload

    fields = {k: v for k, v in _case_post().items() if k != "action"}
    fields["case_date"] = dt.date(2020, 10, 15)
    submitted = case_save(acting_user=bob, submit=True, **fields)
    Case.objects.filter(pk=submitted.pk).update(id=9002)
    draft = case_save(acting_user=bob, submit=False, **fields)
    Case.objects.filter(pk=draft.pk).update(id=9003)
    _bobs_case_photos(bob)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    logo_upload(campaign=campaign, kind="png", content=png, acting_user=dave)
    logo_upload(campaign=campaign, kind="svg", content=_logo_post()["file"].read(), acting_user=dave)


def _bobs_case_photos(bob) -> None:
    """Photo 9002 of the submitted case 9002 (added while it was still a draft, as a unit does before submitting)
    and photo 9003 of the draft 9003."""
    from chengxin.portal.models import CaseStatus
    from chengxin.portal.services import case_photo_add

    for pk in (9002, 9003):
        status = Case.objects.get(pk=pk).status
        Case.objects.filter(pk=pk).update(status=CaseStatus.DRAFT)
        photo = case_photo_add(case=Case.objects.get(pk=pk), uploaded_file=_jpeg_upload(), acting_user=bob)
        CasePhoto.objects.filter(pk=photo.pk).update(id=pk)
        Case.objects.filter(pk=pk).update(status=status)


def _two_commitments(campaign) -> None:
    from chengxin.commitments.models import Status
    from chengxin.commitments.tests.factories import make_commitment

    make_commitment(campaign, name="甲商贸有限公司", uscc="91310115591693856A", status=Status.PENDING, id=900001)
    make_commitment(campaign, name="乙商贸有限公司", uscc="91310110666007217T", status=Status.PUBLISHED, id=900002)


def _jpeg_upload():
    from chengxin.activities.tests.factories import JPEG, upload

    return upload("现场.jpg", JPEG)


def _beijing_version() -> int:
    return Report.objects.get(unit__code="110000").version


def _entry_post(action: str) -> Callable[[], dict]:
    def data() -> dict:
        figures = {f"f_{k}": v for k, v in VALID_FIGURES.items()}
        figures.update(f_tv_news="99", f_videos="77")
        return {**figures, "version": _beijing_version(), "action": action}

    return data


def _api_summary_post() -> dict:
    return {"file": SimpleUploadedFile("接口上传的总结.pdf", make_pdf())}


def _summary_post() -> dict:
    return {"summary": SimpleUploadedFile("替换的总结.pdf", make_pdf())}


def _dates_post() -> dict:
    return {"form": "dates", "deadline": "2031-01-31", "lock_date": "2031-02-28"}


def _beijing_workbook_post() -> dict:
    from chengxin.workbooks.tests.builders import attachment, to_bytes

    data = to_bytes(attachment(unit="北京市商务局"))
    return {"action": "preview", "files": [SimpleUploadedFile("北京.xlsx", data)]}


def _new_campaign_post() -> dict:
    return {
        "source": "2020",
        "year": "2031",
        "title": "2031年活动",
        "theme": "诚信",
        "period_start": "2031-10-01",
        "period_end": "2031-10-31",
        "deadline": "2031-11-25",
    }


def _form_post() -> dict:
    from chengxin.statform.formtext import spec_to_toml
    from chengxin.statform.services import form_as_spec

    form = Campaign.objects.get(year=2020).stat_form
    return {"spec": spec_to_toml(form_as_spec(form)).replace('label = "观看人次"', 'label = "观看量"')}


def _exception_post() -> dict:
    return {"form": "exception", "unit": "110000", "lock_override": "2031-03-31", "reason": "补报"}


def _campaign_texts_post() -> dict:
    """The texts page as it stands, with a typo fixed in the theme (allowed once published)."""
    from chengxin.campaigns.editing import EDITABLE_FIELDS

    campaign = Campaign.objects.get(year=2020)
    values = {name: getattr(campaign, name) for name in EDITABLE_FIELDS}
    values.update({k: values[k].isoformat() for k in ("period_start", "period_end", "notice_date")})
    return {**values, "theme": campaign.theme + "！"}


def _section_post(model_name: str) -> Callable[[], dict]:
    def data() -> dict:
        from django.apps import apps

        item = apps.get_model("campaigns", model_name).objects.get(campaign__year=2020, number=1)
        return {"number": "1", "title": item.title, "body": item.body + "（修正）"}

    return data


def _new_section_post() -> dict:
    return {"number": "9", "title": "新增一项", "body": ""}  # refused: the 2020 campaign is published


def _plan_activity_post(**changes) -> Callable[[], dict]:
    def data() -> dict:
        from chengxin.campaigns.models import PlanActivity

        item = PlanActivity.objects.select_related("lead_body").get(campaign__year=2020, number=8)
        values = {"number": "8", "title": item.title, "lead_body": item.lead_body.code, "description": ""}
        return {**values, **changes}

    return data


def _expected_units_post() -> dict:
    return {"form": "statistics", "units": ["120000"], "fills": []}  # 天津市 (no report) sends its summary only


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: dict
    method: str
    expect: dict[str, int | str]  # persona → status code, or LOGIN
    data: Callable[[], dict] | None = None
    state: str = "draft"  # Beijing's report before the request: "draft" (figures + summary) or "submitted"
    changes_for: frozenset[str] = field(default_factory=frozenset)  # personas whose POST really changes data
    api: bool = False  # an API route: the body goes as JSON (files as multipart) with an Idempotency-Key
    path: str | None = None  # a URL that reverse() cannot give (the API's catch-all)

    def __str__(self) -> str:
        return f"{self.method} {self.name} {self.kwargs} ({self.state})"


def _expect(anonymous=LOGIN, *, alice, bob, carol, dave, frank=None, admins=None) -> dict:
    """Each persona's outcome. frank (another unit's reporter, one level down) gets what alice gets unless told;
    the three administrative roles (ivan, sam, sue) hold no reporting role: they get a public page as the
    public does and 404 for any page of the reporting work, unless told."""
    if admins is None:
        admins = anonymous if anonymous != LOGIN and anonymous < 400 else 404
    if not isinstance(admins, dict):
        admins = dict.fromkeys(ADMIN_PERSONAS, admins)
    return {
        "anonymous": anonymous,
        "alice": alice,
        "bob": bob,
        "frank": alice if frank is None else frank,
        "carol": carol,
        "dave": dave,
        **admins,
    }


UNIT_PAGE = _expect(alice=404, bob=200, carol=404, dave=404)  # the unit's own working pages
READ_PAGE = _expect(alice=404, bob=200, carol=200, dave=200)  # the unit and the ministry
NATIONAL_PAGE = _expect(alice=404, bob=404, carol=200, dave=200)
ADMIN_PAGE = _expect(alice=404, bob=404, carol=404, dave=200)
ADMIN_SAVE = _expect(alice=404, bob=404, carol=404, dave=302)
ADMIN_REFUSED = _expect(alice=404, bob=404, carol=404, dave=422)  # the administrator's own request, refused

EVERYONE_SIGNED_IN = _expect(alice=200, bob=200, carol=200, dave=200, admins=200)
NO_ADMIN = dict.fromkeys(ADMIN_PERSONAS, 404)
PUBLIC = _expect(200, alice=200, bob=200, carol=200, dave=200)
API_UNIT_WRITE = _expect(401, alice=404, bob=200, carol=403, dave=403)  # the ministry reads, but does not fill in
API_REVIEW = _expect(401, alice=404, bob=403, carol=200, dave=200)
ON_ADMIN = {**NO_ADMIN, "sysadmin": 200}  # the Django admin: the system administrator's alone
SECURITY_PAGE = _expect(alice=404, bob=404, carol=404, dave=404, admins={**NO_ADMIN, "secadmin": 200})
SECURITY_ACTION = _expect(alice=404, bob=404, carol=404, dave=404, admins={**NO_ADMIN, "secadmin": 302})
AUDIT_PAGE = _expect(alice=404, bob=404, carol=404, dave=404, admins={**NO_ADMIN, "ivan": 200})

ROUTES = [
    # the site's own routes: sign-in, sign-out, password, language, the home page that sends each role on
    Route("home", {}, "GET", _expect(alice=302, bob=302, carol=302, dave=302, admins=302)),
    Route("login", {}, "GET", _expect(200, alice=302, bob=302, carol=302, dave=302, admins=302)),
    Route("logout", {}, "POST", _expect(302, alice=302, bob=302, carol=302, dave=302, admins=302)),
    Route("password_change", {}, "GET", EVERYONE_SIGNED_IN),
    Route("password_change_done", {}, "GET", EVERYONE_SIGNED_IN),
    Route("set_language", {}, "POST", _expect(302, alice=302, bob=302, carol=302, dave=302, admins=302)),
    Route("favicon", {}, "GET", _expect(301, alice=301, bob=301, carol=301, dave=301, admins=301)),
    # the Django admin: staff only; everyone else is sent to the admin's own sign-in page
    Route("admin:index", {}, "GET", _expect(302, alice=302, bob=302, carol=302, dave=302, admins=ON_ADMIN)),
    # the account's own second factor: every signed-in account; a verified one has nothing left to verify
    Route("accounts:two_factor", {}, "GET", EVERYONE_SIGNED_IN),
    Route("accounts:two_factor_verify", {}, "GET", _expect(alice=302, bob=302, carol=302, dave=302, admins=302)),
    Route("accounts:two_factor_verify", {}, "POST", _expect(alice=302, bob=302, carol=302, dave=302, admins=302)),
    Route("accounts:two_factor_setup", {}, "GET", _expect(alice=302, bob=302, carol=302, dave=302, admins=302)),
    Route("accounts:two_factor_setup", {}, "POST", _expect(alice=302, bob=302, carol=302, dave=302, admins=302)),
    # the security administrator's pages, acting on tom
    Route("accounts:security", {}, "GET", SECURITY_PAGE),
    Route("accounts:security_account", TOM, "GET", SECURITY_PAGE),
    Route("accounts:security_unlock", TOM, "POST", SECURITY_ACTION, changes_for=frozenset({"secadmin"})),
    Route("accounts:security_reset_two_factor", TOM, "POST", SECURITY_ACTION, changes_for=frozenset({"secadmin"})),
    Route(
        "accounts:security_reset_password",
        TOM,
        "POST",
        SECURITY_ACTION,
        changes_for=frozenset({"secadmin"}),
    ),
    # changes that wait for a second person (two-person rule): the security administrator's to decide
    Route("accounts:security_approvals", {}, "GET", SECURITY_PAGE),
    Route(
        "accounts:security_approval_decide",
        {"pk": APPROVAL, "decision": "approve"},
        "POST",
        SECURITY_ACTION,
        changes_for=frozenset({"secadmin"}),
    ),
    # recovery codes: every signed-in account, its own
    Route("accounts:two_factor_recovery", {}, "POST", EVERYONE_SIGNED_IN),
    # the owner's one-time link after a reset: anyone may open it (an invalid link says so)
    Route(
        "password_reset_confirm",
        {"uidb64": "OTEwMA", "token": "x-y"},
        "GET",
        _expect(200, alice=200, bob=200, carol=200, dave=200, admins=200),
    ),
    Route("password_reset_complete", {}, "GET", _expect(200, alice=200, bob=200, carol=200, dave=200, admins=200)),
    # the signing form's picture and spoken checks (django-simple-captcha): public; an unknown key is gone (410)
    Route("captcha-image", {"key": "abc"}, "GET", _expect(410, alice=410, bob=410, carol=410, dave=410, admins=410)),
    Route("captcha-image-2x", {"key": "abc"}, "GET", _expect(404, alice=404, bob=404, carol=404, dave=404, admins=404)),
    # the spoken check exists where flite is installed (settings.CAPTCHA_FLITE_PATH)
    Route(
        "captcha-audio",
        {"key": "abc"},
        "GET",
        _expect(AUDIO, alice=AUDIO, bob=AUDIO, carol=AUDIO, dave=AUDIO, admins=AUDIO),
    ),
    Route("captcha-refresh", {}, "GET", _expect(404, alice=404, bob=404, carol=404, dave=404, admins=404)),
    # the audit log: the auditor's alone
    Route("audit:list", {}, "GET", AUDIT_PAGE),
    Route("audit:export", {}, "GET", AUDIT_PAGE),
    Route("audit:check", {}, "GET", AUDIT_PAGE),
    # reporting
    Route("reporting:entry", BEIJING, "GET", UNIT_PAGE),
    Route(
        "reporting:entry",
        BEIJING,
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        _entry_post("save"),
        changes_for=frozenset({"bob"}),
    ),
    Route(
        "reporting:entry",
        BEIJING,
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        _entry_post("submit"),
        changes_for=frozenset({"bob"}),
    ),
    # 撤回报送: the same entry URL, action=withdraw; only Beijing's reporter takes back its submission.
    Route(
        "reporting:entry",
        BEIJING,
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        _entry_post("withdraw"),
        state="submitted",
        changes_for=frozenset({"bob"}),
    ),
    Route("reporting:check", BEIJING, "POST", UNIT_PAGE, _entry_post("save")),
    Route(
        "reporting:upload_summary",
        BEIJING,
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        _summary_post,
        changes_for=frozenset({"bob"}),
    ),
    Route("reporting:download_summary", BEIJING, "GET", READ_PAGE),
    Route("reporting:print", BEIJING, "GET", READ_PAGE),
    Route("reporting:summaries_zip", YEAR, "GET", NATIONAL_PAGE),
    Route("textsearch:search", {}, "GET", NATIONAL_PAGE),
    Route("publications:summary", YEAR, "GET", NATIONAL_PAGE),
    Route("publications:summary", YEAR, "POST", _expect(alice=404, bob=404, carol=302, dave=302)),  # queues a draft
    Route("publications:casebook", YEAR, "GET", NATIONAL_PAGE),
    # the fixture has no published case: the ministry's request is refused as empty (422), the others' as unknown
    Route("publications:casebook", YEAR, "POST", _expect(alice=404, bob=404, carol=422, dave=422)),
    Route(  # an import job's id, not a document's: nobody downloads it
        "publications:download",
        {**YEAR, "job_id": BOBS_JOB, "fmt": "docx"},
        "GET",
        _expect(alice=404, bob=404, carol=404, dave=404),
    ),
    Route(
        "reporting:accept_clean",
        YEAR,
        "POST",
        _expect(alice=404, bob=404, carol=302, dave=302),
        lambda: {"units": ["110000"]},
        state="submitted",
        changes_for=frozenset({"carol", "dave"}),
    ),
    # The unit's own reporter is sent to its entry page, which shows the same report.
    Route("reporting:review", BEIJING, "GET", _expect(alice=404, bob=302, carol=200, dave=200), state="submitted"),
    Route(
        "reporting:review_action",
        BEIJING,
        "POST",
        _expect(alice=404, bob=403, carol=302, dave=302),
        lambda: {"action": "accept"},
        state="submitted",
        changes_for=frozenset({"carol", "dave"}),
    ),
    Route(
        "reporting:review_action",
        BEIJING,
        "POST",
        _expect(alice=404, bob=403, carol=302, dave=302),
        lambda: {"action": "return", "reason": "请核对电视新闻条数"},
        state="submitted",
        changes_for=frozenset({"carol", "dave"}),
    ),
    # The hierarchy: 广州市 (frank) reports to 广东省 (alice, the province reviewer), not to the ministry. Only alice
    # returns or accepts it; the ministry reads it but does not review it (403); Beijing's bob gets 404.
    Route("reporting:entry", GUANGZHOU, "GET", _expect(alice=404, bob=404, frank=200, carol=404, dave=404)),
    Route("reporting:review", GUANGZHOU, "GET", _expect(alice=200, bob=404, frank=302, carol=200, dave=200)),
    Route(
        "reporting:review_action",
        GUANGZHOU,
        "POST",
        _expect(alice=302, bob=404, frank=403, carol=403, dave=403),
        lambda: {"action": "accept"},
        state="guangzhou_submitted",
        changes_for=frozenset({"alice"}),
    ),
    Route(
        "reporting:review_action",
        GUANGZHOU,
        "POST",
        _expect(alice=302, bob=404, frank=403, carol=403, dave=403),
        lambda: {"action": "return", "reason": "请核对天河区的数据"},
        state="guangzhou_submitted",
        changes_for=frozenset({"alice"}),
    ),
    Route("analytics:dashboard_unit", GUANGZHOU, "GET", _expect(alice=200, bob=404, frank=200, carol=200, dave=200)),
    # the JSON API (/api/v1/): the same rules as the pages, answered in JSON; no session and no token is 401
    Route("api:api-root", {}, "GET", _expect(302, alice=302, bob=302, carol=302, dave=302, admins=302)),
    Route("api:openapi-json", {}, "GET", PUBLIC),
    Route("api:openapi-view", {}, "GET", PUBLIC),
    Route("api:campaign_list", {}, "GET", PUBLIC),
    Route("api:campaign_detail", YEAR, "GET", PUBLIC),
    Route("api:campaign_activities", YEAR, "GET", PUBLIC),
    Route("api:commitment_list", {}, "GET", PUBLIC),
    Route("api:campaign_form", YEAR, "GET", _expect(401, alice=200, bob=200, carol=200, dave=200)),
    Route("api:report_detail", BEIJING, "GET", _expect(401, alice=404, bob=200, carol=200, dave=200)),
    Route(
        "api:report_update",
        BEIJING,
        "PUT",
        API_UNIT_WRITE,
        lambda: {"version": _beijing_version(), "values": {**VALID_FIGURES, "tv_news": "99"}},
        api=True,
        changes_for=frozenset({"bob"}),
    ),
    Route(
        "api:report_upload_summary",
        BEIJING,
        "POST",
        API_UNIT_WRITE,
        _api_summary_post,
        api=True,
        changes_for=frozenset({"bob"}),
    ),
    Route(
        "api:report_submit",
        BEIJING,
        "POST",
        API_UNIT_WRITE,
        lambda: {"version": _beijing_version()},
        api=True,
        changes_for=frozenset({"bob"}),
    ),
    Route(
        "api:report_return",
        BEIJING,
        "POST",
        API_REVIEW,
        lambda: {"reason": "请核对电视新闻条数"},
        state="submitted",
        api=True,
        changes_for=frozenset({"carol", "dave"}),
    ),
    Route(
        "api:report_accept",
        BEIJING,
        "POST",
        API_REVIEW,
        lambda: {},
        state="submitted",
        api=True,
        changes_for=frozenset({"carol", "dave"}),
    ),
    Route("api:report_detail", GUANGZHOU, "GET", _expect(401, alice=200, bob=404, frank=200, carol=200, dave=200)),
    Route(
        "api:report_accept",
        GUANGZHOU,
        "POST",
        _expect(401, alice=200, bob=404, frank=403, carol=403, dave=403),
        lambda: {},
        state="guangzhou_submitted",
        api=True,
        changes_for=frozenset({"alice"}),
    ),
    Route("api:campaign_totals", YEAR, "GET", _expect(401, alice=404, bob=404, carol=200, dave=200)),
    Route("api:campaign_completeness", YEAR, "GET", _expect(401, alice=404, bob=404, carol=200, dave=200)),
    Route("api_tokens", {}, "GET", _expect(alice=200, bob=200, carol=200, dave=200)),
    Route(
        "api_tokens",
        {},
        "POST",
        _expect(alice=200, bob=200, carol=200, dave=200),
        lambda: {"action": "create", "name": "脚本"},
        changes_for=frozenset({"alice", "bob", "frank", "carol", "dave"}),
    ),
    Route("api_not_found", {}, "GET", _expect(404, alice=404, bob=404, carol=404, dave=404), path="/api/v1/nope"),
    # the public pages: open to everyone, signed in or not
    Route("portal:home", {}, "GET", _expect(302, alice=302, bob=302, carol=302, dave=302)),
    Route("portal:campaign", YEAR, "GET", _expect(200, alice=200, bob=200, carol=200, dave=200)),
    # activities: a unit's own reporter (or the national administrator on its behalf) writes; the ministry reads
    # every unit's; the lead body of a plan activity reads what is registered under it (GACC leads no. 8: alice
    # and bob are not it). Beijing's draft activity is 9001, with photo 9001.
    Route("activities:list", YEAR, "GET", _expect(alice=200, bob=200, carol=200, dave=200)),
    Route("activities:create", YEAR, "GET", _expect(alice=200, bob=200, carol=404, dave=200)),
    Route(
        "activities:create",
        YEAR,
        "POST",
        _expect(alice=302, bob=302, carol=404, dave=302),
        lambda: _activity_post(unit="110000"),
        changes_for=frozenset({"alice", "bob", "dave"}),  # alice registers one for her own unit
    ),
    Route("activities:plan", {**YEAR, "number": 8}, "GET", _expect(alice=404, bob=404, carol=200, dave=200)),
    Route("activities:detail", ACTIVITY, "GET", _expect(alice=404, bob=200, carol=200, dave=200)),
    Route("activities:edit", ACTIVITY, "GET", _expect(alice=404, bob=200, carol=404, dave=200)),
    Route(
        "activities:edit",
        ACTIVITY,
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=302),
        lambda: _activity_post(title="改了名字的活动"),
        changes_for=frozenset({"bob", "dave"}),
    ),
    Route(
        "activities:publish",
        ACTIVITY,
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=302),
        changes_for=frozenset({"bob", "dave"}),
    ),
    # Withdrawing a draft is refused (409) even for those who may withdraw.
    Route("activities:withdraw", ACTIVITY, "POST", _expect(alice=404, bob=409, carol=404, dave=409)),
    Route(
        "activities:delete",
        ACTIVITY,
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=302),
        changes_for=frozenset({"bob", "dave"}),
    ),
    Route(
        "activities:photo_add",
        ACTIVITY,
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=302),
        lambda: {"photo": _jpeg_upload()},
        changes_for=frozenset({"bob", "dave"}),
    ),
    Route("activities:photo", {**ACTIVITY, "photo_pk": 9001}, "GET", _expect(alice=404, bob=200, carol=200, dave=200)),
    Route("activities:plan_file", ACTIVITY, "GET", _expect(alice=404, bob=200, carol=200, dave=200)),
    # the public portal (issue 5): public pages open to everyone; the logo upload is the national administrator's;
    # cases: any unit's reporter writes for its own unit, the ministry moderates. Bob's submitted case is 9002,
    # his draft 9003; the 2020 logo is uploaded (PNG and SVG).
    Route("portal:logo_png", YEAR, "GET", _expect(200, alice=200, bob=200, carol=200, dave=200)),
    Route("portal:logo_svg", YEAR, "GET", _expect(200, alice=200, bob=200, carol=200, dave=200)),
    Route("portal:logo_admin", YEAR, "GET", ADMIN_PAGE),
    Route(
        "portal:logo_admin",
        YEAR,
        "POST",
        _expect(alice=404, bob=404, carol=404, dave=302),
        _logo_post,
        changes_for=frozenset({"dave"}),
    ),
    Route("portal:credit", {}, "GET", _expect(200, alice=200, bob=200, carol=200, dave=200)),
    Route("portal:cases", {}, "GET", _expect(200, alice=200, bob=200, carol=200, dave=200)),
    Route("portal:case", {"pk": 9002}, "GET", _expect(404, alice=404, bob=200, carol=200, dave=200)),
    Route("portal:case_new", {}, "GET", _expect(alice=200, bob=200, carol=404, dave=404)),
    Route(
        "portal:case_new",
        {},
        "POST",
        _expect(alice=302, bob=302, carol=404, dave=404),
        _case_post,
        changes_for=frozenset({"alice", "bob"}),
    ),
    Route("portal:case_edit", {"pk": 9003}, "GET", _expect(alice=404, bob=200, carol=404, dave=404)),
    Route(
        "portal:case_edit",
        {"pk": 9003},
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        _case_post,
        changes_for=frozenset({"bob"}),
    ),
    # a case's photos (issue 15): the unit's editor adds and removes them on a draft (9003, with photo 9003);
    # photo 9002 of the submitted case 9002 is for the unit and the ministry only until the case is published
    Route(
        "portal:case_photo_add",
        {"pk": 9003},
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        lambda: {"photo": _jpeg_upload(), "caption": "现场照片"},
        changes_for=frozenset({"bob"}),
    ),
    Route(
        "portal:case_photo",
        {"pk": 9002, "photo_pk": 9002},
        "GET",
        _expect(404, alice=404, bob=200, carol=200, dave=200),
    ),
    Route(
        "portal:case_photo_remove",
        {"pk": 9003, "photo_pk": 9003},
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        changes_for=frozenset({"bob"}),
    ),
    Route("portal:case_mine", {}, "GET", _expect(alice=200, bob=200, carol=404, dave=404)),
    Route("portal:case_moderate", {}, "GET", NATIONAL_PAGE),
    Route(
        "portal:case_decide",
        {"pk": 9002},
        "POST",
        _expect(alice=404, bob=404, carol=302, dave=302),
        lambda: {"action": "publish"},
        changes_for=frozenset({"carol", "dave"}),
    ),
    # commitments: anyone signs and searches; the ministry moderates. 900001 is pending, 900002 published.
    Route("commitments:search", YEAR, "GET", _expect(200, alice=200, bob=200, carol=200, dave=200)),
    Route("commitments:sign", YEAR, "GET", _expect(200, alice=200, bob=200, carol=200, dave=200)),
    Route(
        "commitments:sign",
        YEAR,
        "POST",
        _expect(200, alice=200, bob=200, carol=200, dave=200),
        lambda: {
            "name": "华为技术有限公司",
            "uscc": "914403001922038216",
            "region_code": "440000",
            "industry": "manufacturing",
            "contact_name": "李四",
            "contact_phone": "13800138000",
        },
        changes_for=frozenset(PERSONAS) - {"ivan"},  # the auditor signs nothing (chengxin.audit.middleware)
    ),
    Route("commitments:moderate", YEAR, "GET", NATIONAL_PAGE),
    Route(
        "commitments:publish",
        {**YEAR, "pk": 900001},
        "POST",
        _expect(alice=404, bob=404, carol=302, dave=302),
        changes_for=frozenset({"carol", "dave"}),
    ),
    Route(
        "commitments:reject",
        {**YEAR, "pk": 900001},
        "POST",
        _expect(alice=404, bob=404, carol=302, dave=302),
        lambda: {"reason": "名称与执照不符"},
        changes_for=frozenset({"carol", "dave"}),
    ),
    Route(
        "commitments:withdraw",
        {**YEAR, "pk": 900002},
        "POST",
        _expect(alice=404, bob=404, carol=302, dave=302),
        lambda: {"reason": "企业申请撤回"},
        changes_for=frozenset({"carol", "dave"}),
    ),
    # notifications: every account sees its own unit's notices; reminders go from a reviewer to the units it reviews
    Route("notifications:list", {}, "GET", _expect(alice=200, bob=200, carol=200, dave=200)),
    Route("notifications:read_all", {}, "POST", _expect(alice=302, bob=302, carol=302, dave=302)),
    Route(
        "notifications:remind",
        YEAR,
        "POST",
        _expect(alice=404, bob=404, carol=302, dave=302),
        lambda: {"unit": "110000"},
        changes_for=frozenset({"carol", "dave"}),
    ),
    # analytics
    Route("analytics:dashboard", YEAR, "GET", NATIONAL_PAGE),
    Route("analytics:map_data", YEAR, "GET", NATIONAL_PAGE),
    Route("analytics:dashboard_csv", YEAR, "GET", NATIONAL_PAGE),
    # A unit without sub-units has no drill-down: readers are sent to its report.
    Route("analytics:dashboard_unit", BEIJING, "GET", _expect(alice=404, bob=302, carol=302, dave=302)),
    Route("analytics:completeness", YEAR, "GET", NATIONAL_PAGE),
    Route("analytics:totals", YEAR, "GET", NATIONAL_PAGE),
    # campaigns
    Route("campaigns:overview", YEAR, "GET", _expect(alice=200, bob=200, carol=200, dave=200)),
    Route("campaigns:settings", YEAR, "GET", ADMIN_PAGE),
    Route(
        "campaigns:settings",
        YEAR,
        "POST",
        _expect(alice=404, bob=404, carol=404, dave=302),
        _dates_post,
        changes_for=frozenset({"dave"}),
    ),
    Route(
        "campaigns:settings",
        YEAR,
        "POST",
        _expect(alice=404, bob=404, carol=404, dave=302),
        _exception_post,
        changes_for=frozenset({"dave"}),
    ),
    Route("campaigns:new", {}, "GET", ADMIN_PAGE),
    Route(
        "campaigns:new",
        {},
        "POST",
        _expect(alice=404, bob=404, carol=404, dave=302),
        _new_campaign_post,
        changes_for=frozenset({"dave"}),
    ),
    Route("campaigns:form", YEAR, "GET", ADMIN_PAGE),
    Route(
        "campaigns:form",
        YEAR,
        "POST",
        _expect(alice=404, bob=404, carol=404, dave=302),
        _form_post,
        changes_for=frozenset({"dave"}),
    ),
    # Once a report is submitted the form is fixed: the administrator's edit is refused (422), nothing changes.
    Route(
        "campaigns:form", YEAR, "POST", _expect(alice=404, bob=404, carol=404, dave=422), _form_post, state="submitted"
    ),
    # editing the campaign (campaigns/edit_views.py). 2020 is published: wording fixes are saved (302), additions,
    # deletions, and a new lead body for plan activity 8 (bob's activity 9001 is registered under it) refused (422).
    Route("campaigns:publish", YEAR, "GET", ADMIN_PAGE),
    # 2020 is published already: the administrator's POST is refused (409), everyone else's is unknown (404)
    Route("campaigns:publish", YEAR, "POST", _expect(alice=404, bob=404, carol=404, dave=409)),
    Route("campaigns:history", YEAR, "GET", ADMIN_PAGE),
    Route("campaigns:edit", YEAR, "GET", ADMIN_PAGE),
    Route("campaigns:edit", YEAR, "POST", ADMIN_SAVE, _campaign_texts_post, changes_for=frozenset({"dave"})),
    Route("campaigns:edit_focus_areas", YEAR, "GET", ADMIN_PAGE),
    Route("campaigns:edit_focus_areas", YEAR, "POST", ADMIN_REFUSED, _new_section_post),
    Route("campaigns:edit_focus_area", FIRST, "GET", ADMIN_PAGE),
    Route(
        "campaigns:edit_focus_area",
        FIRST,
        "POST",
        ADMIN_SAVE,
        _section_post("FocusArea"),
        changes_for=frozenset({"dave"}),
    ),
    Route("campaigns:delete_focus_area", FIRST, "GET", ADMIN_PAGE),
    Route("campaigns:delete_focus_area", FIRST, "POST", ADMIN_REFUSED),
    Route("campaigns:edit_requirements", YEAR, "GET", ADMIN_PAGE),
    Route("campaigns:edit_requirements", YEAR, "POST", ADMIN_REFUSED, _new_section_post),
    Route("campaigns:edit_requirement", FIRST, "GET", ADMIN_PAGE),
    Route(
        "campaigns:edit_requirement",
        FIRST,
        "POST",
        ADMIN_SAVE,
        _section_post("Requirement"),
        changes_for=frozenset({"dave"}),
    ),
    Route("campaigns:delete_requirement", FIRST, "GET", ADMIN_PAGE),
    Route("campaigns:delete_requirement", FIRST, "POST", ADMIN_REFUSED),
    Route("campaigns:edit_plan", YEAR, "GET", ADMIN_PAGE),
    Route("campaigns:edit_plan", YEAR, "POST", ADMIN_REFUSED, _plan_activity_post(number="16")),
    Route("campaigns:edit_plan_activity", EIGHTH, "GET", ADMIN_PAGE),
    Route(
        "campaigns:edit_plan_activity",
        EIGHTH,
        "POST",
        ADMIN_SAVE,
        _plan_activity_post(description="（修正）"),
        changes_for=frozenset({"dave"}),
    ),
    Route("campaigns:edit_plan_activity", EIGHTH, "POST", ADMIN_REFUSED, _plan_activity_post(lead_body="MOFCOM")),
    Route("campaigns:delete_plan_activity", FIRST, "GET", ADMIN_PAGE),
    Route("campaigns:delete_plan_activity", FIRST, "POST", ADMIN_REFUSED),
    Route("campaigns:edit_units", YEAR, "GET", ADMIN_PAGE),
    Route("campaigns:edit_units", YEAR, "POST", ADMIN_SAVE, _expected_units_post, changes_for=frozenset({"dave"})),
    Route(
        "campaigns:remove_unit",
        {"year": 2020, "unit_code": "120000"},
        "POST",
        ADMIN_SAVE,
        changes_for=frozenset({"dave"}),
    ),
    Route("campaigns:remove_unit", BEIJING, "POST", ADMIN_REFUSED),  # Beijing has a report: it stays
    Route(
        "analytics:publish_totals",
        YEAR,
        "POST",
        _expect(alice=404, bob=404, carol=404, dave=302),
        state="accepted",
        changes_for=frozenset({"dave"}),
    ),
    Route(
        "analytics:unpublish_totals",
        YEAR,
        "POST",
        _expect(alice=404, bob=404, carol=404, dave=302),
        state="published",
        changes_for=frozenset({"dave"}),
    ),
    # workbooks: an upload only queues a preview job (nothing of the reports changes); a job is its creator's
    # alone (bob's job here): everybody else gets 404
    Route("workbooks:template", BEIJING, "GET", READ_PAGE),
    Route("workbooks:unit_xlsx", BEIJING, "GET", READ_PAGE),
    Route("workbooks:national_xlsx", YEAR, "GET", NATIONAL_PAGE),
    Route("workbooks:national_pdf", YEAR, "GET", NATIONAL_PAGE),
    Route("workbooks:national_csv", YEAR, "GET", NATIONAL_PAGE),
    Route("workbooks:import", YEAR, "GET", _expect(alice=200, bob=200, carol=404, dave=200)),
    Route("workbooks:import", YEAR, "POST", _expect(alice=302, bob=302, carol=404, dave=302), _beijing_workbook_post),
    Route("workbooks:job", {**YEAR, "job_id": BOBS_JOB}, "GET", UNIT_PAGE),
    Route("workbooks:job", {**YEAR, "job_id": BOBS_JOB}, "POST", _expect(alice=404, bob=302, carol=404, dave=404)),
    # integrity indices (诚信指数): public pages of what the ministry published; any unit's editor describes its own
    # indices and uploads releases (preview first); the ministry publishes or rejects. See INDEX above.
    Route("indices:public_list", {}, "GET", PUBLIC),
    Route("indices:public_index", INDEX, "GET", PUBLIC),
    Route("indices:public_csv", INDEX, "GET", PUBLIC),
    Route("indices:public_release", {**INDEX, "version": 1}, "GET", PUBLIC),
    Route("indices:mine", {}, "GET", _expect(alice=200, bob=200, carol=404, dave=404)),
    Route("indices:template_xlsx", {}, "GET", _expect(alice=200, bob=200, carol=404, dave=404)),
    Route("indices:template_csv", {}, "GET", _expect(alice=200, bob=200, carol=404, dave=404)),
    Route("indices:new", {}, "GET", _expect(alice=200, bob=200, carol=404, dave=404)),
    Route(
        "indices:new",
        {},
        "POST",
        _expect(alice=302, bob=302, carol=404, dave=404),
        lambda: {**_index_post(), "code": "new-index"},
        changes_for=frozenset({"alice", "bob", "frank"}),
    ),
    Route("indices:manage", INDEX, "GET", _expect(alice=404, bob=200, carol=404, dave=404)),
    Route(  # an upload only stages the file for its preview
        "indices:manage",
        INDEX,
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        _index_upload_post,
        changes_for=frozenset({"bob"}),
    ),
    Route("indices:edit", INDEX, "GET", _expect(alice=404, bob=200, carol=404, dave=404)),
    Route(
        "indices:edit",
        {"code": "bj-new"},
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        _index_post,
        changes_for=frozenset({"bob"}),
    ),
    # Once published, an index's description is fixed: refused (409), nothing changes.
    Route("indices:edit", INDEX, "POST", _expect(alice=404, bob=409, carol=404, dave=404), _index_post),
    Route("indices:preview", {"job_id": INDEX_UPLOAD}, "GET", _expect(alice=404, bob=200, carol=404, dave=404)),
    Route(
        "indices:preview",
        {"job_id": INDEX_UPLOAD},
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        lambda: {"action": "draft"},
        changes_for=frozenset({"bob"}),
    ),
    Route("indices:release", {"pk": 9301}, "GET", _expect(alice=404, bob=200, carol=200, dave=200)),
    Route(
        "indices:release_submit",
        {"pk": 9302},
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        changes_for=frozenset({"bob"}),
    ),
    Route(
        "indices:release_delete",
        {"pk": 9302},
        "POST",
        _expect(alice=404, bob=302, carol=404, dave=404),
        changes_for=frozenset({"bob"}),
    ),
    Route("indices:moderate", {}, "GET", NATIONAL_PAGE),
    Route(
        "indices:release_decide",
        {"pk": 9301},
        "POST",
        _expect(alice=404, bob=404, carol=302, dave=302),
        lambda: {"action": "publish"},
        changes_for=frozenset({"carol", "dave"}),
    ),
]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(alice, bob, carol, dave, tree, ivan, sysadmin, secadmin, two_factor):
    """The personas, each with a confirmed authenticator; and tom, a second reporter of Beijing, locked out and
    enrolled, on whom the security administrator's actions act."""
    from axes.models import AccessAttempt

    from chengxin.units.models import Role
    from chengxin.units.tests.factories import UserFactory

    tom = UserFactory(id=TOM["pk"], username="tom", unit=bob.unit, role=Role.UNIT_REPORTER, email="tom@bj.gov.cn")
    totp_device(tom)
    from chengxin.units.services import role_grant_request

    request = role_grant_request(user=tom, role=Role.NATIONAL_REVIEWER, unit=dave.unit, acting_user=sysadmin)
    type(request).objects.filter(pk=request.pk).update(id=APPROVAL)
    AccessAttempt.objects.create(username="tom", ip_address="10.0.0.7", failures_since_start=9, user_agent="x")
    people = {"alice": alice, "bob": bob, "frank": tree["frank"], "carol": carol, "dave": dave, "ivan": ivan}
    people |= {"sysadmin": sysadmin, "secadmin": secadmin}
    for user in people.values():
        totp_device(user)
    return {"anonymous": None} | people


def _sign_in(client, user) -> None:
    """Password and second factor, as a successful sign-in leaves the session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()


@pytest.fixture
def beijing_draft(campaign, beijing_report, bob, alice, carol, dave):
    """Beijing's draft with figures and a summary; Guangdong has one too (alice's own)."""
    for report, user in (
        (beijing_report, bob),
        (services.report_get_or_start(campaign=campaign, unit=alice.unit), alice),
    ):
        report = services.report_save_draft(
            report=report, raw_values=VALID_FIGURES, version=None, acting_user=user
        ).report
        services.report_upload_summary(
            report=report, uploaded_file=SimpleUploadedFile("北京市总结.docx", make_docx()), acting_user=user
        )
    _bobs_preview(bob)
    _bobs_activity(campaign, bob)
    _bobs_cases_and_the_logo(campaign, bob, dave)
    _two_commitments(campaign)
    _bobs_indices(bob, carol)
    return Report.objects.get(pk=beijing_report.pk)


def _bobs_activity(campaign, bob) -> None:
    from chengxin.activities import services as activity_services
    from chengxin.activities.tests.factories import JPEG, PLAN_TEXT, raw, upload

    activity = activity_services.activity_create(
        campaign=campaign,
        unit=bob.unit,
        acting_user=bob,
        raw=raw(region_code="110000", plan_activity="8", epidemic_plan_text=PLAN_TEXT),
        plan_file=SimpleUploadedFile("方案.pdf", make_pdf()),
    )
    Activity.objects.filter(pk=activity.pk).update(id=9001)
    ActivityOutputValue.objects.filter(activity_id=activity.pk).update(activity_id=9001)
    activity = Activity.objects.get(pk=9001)
    photo = activity_services.activity_add_photo(
        activity=activity, uploaded_file=upload("x.jpg", JPEG), acting_user=bob
    )
    ActivityPhoto.objects.filter(pk=photo.pk).update(id=9001)


def _bobs_preview(bob) -> None:
    from django.core.files.base import ContentFile

    from chengxin.workbooks.jobs import job_run, staging_save
    from chengxin.workbooks.models import ImportJob
    from chengxin.workbooks.tests.builders import attachment, to_bytes

    staged = staging_save("bobsjob", 0, ContentFile(to_bytes(attachment(unit="北京市商务局"))))
    job = ImportJob.objects.create(
        pk=BOBS_JOB,
        campaign=Campaign.objects.get(year=2020),
        created_by=bob,
        kind=ImportJob.Kind.PREVIEW,
        staging="bobsjob",
        files=[{"path": staged, "name": "北京.xlsx"}],
    )
    job_run(job.pk)


def _snapshot() -> dict:
    """Everything a wrongful request could change."""
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chengxin.api.models import ApiToken
    from chengxin.units.models import Approval, User

    campaign = Campaign.objects.get(year=2020)
    return {
        "reports": sorted(
            Report.objects.values_list("unit__code", "status", "version", "return_reason", "submitted_at", "late")
        ),
        "values": {r.unit.code: report_values(r) for r in Report.objects.select_related("unit")},
        "explanations": {r.unit.code: r.explanations for r in Report.objects.select_related("unit")},
        "files": sorted(SummaryFile.objects.values_list("report__unit__code", "sha256", "original_name")),
        "events": ReportEvent.objects.count(),
        "notices": sorted(Notice.objects.values_list("unit__code", "kind", "read_at")),
        "reminders": Reminder.objects.count(),
        "activities": sorted(Activity.objects.values_list("pk", "status", "title", "published_at")),
        "activity_outputs": sorted(ActivityOutputValue.objects.values_list("activity_id", "code", "value")),
        "photos": sorted(ActivityPhoto.objects.values_list("pk", flat=True)),
        "commitments": sorted(Commitment.objects.values_list("pk", "status", "reject_reason", "withdraw_reason")),
        "cases": sorted(Case.objects.values_list("pk", "status", "title", "published_at")),
        "case_photos": sorted(CasePhoto.objects.values_list("pk", "case_id", "caption", "position")),
        "logos": sorted(CampaignLogo.objects.values_list("kind", "file", "uploaded_at")),
        "dates": (campaign.deadline, campaign.lock_date),
        "campaigns": sorted(Campaign.objects.values_list("year", flat=True)),
        "published": (campaign.totals_published_at, campaign.published_totals),
        "form": sorted(Figure.objects.filter(form__campaign=campaign).values_list("code", "label", "row__label")),
        "tokens": ApiToken.objects.count(),
        "tom": list(
            User.objects.filter(pk=TOM["pk"]).values_list("password", "password_changed_at", "is_active", "role")
        ),
        "approvals": sorted(Approval.objects.values_list("pk", "state")),
        "devices": sorted(TOTPDevice.objects.values_list("user__username", flat=True)),
        "lockouts": sorted(AccessAttempt.objects.values_list("username", "failures_since_start")),
        **_indices_snapshot(),
        **_campaign_edits_snapshot(),
        "exceptions": sorted(
            Participant.objects.exclude(deadline_override=None, lock_override=None).values_list(
                "unit__code", "deadline_override", "lock_override"
            )
        ),
    }


def _campaign_edits_snapshot() -> dict:
    from chengxin.campaigns.editing import EDITABLE_FIELDS
    from chengxin.campaigns.models import CampaignChange, FocusArea, PlanActivity, Requirement

    campaign = Campaign.objects.get(year=2020)
    return {
        "campaign_texts": [getattr(campaign, name) for name in EDITABLE_FIELDS],
        "sections": sorted(
            (model.__name__, *row)
            for model in (FocusArea, Requirement)
            for row in model.objects.filter(campaign=campaign).values_list("number", "title", "body")
        ),
        "plan": sorted(
            PlanActivity.objects.filter(campaign=campaign).values_list("number", "title", "lead_body_id", "description")
        ),
        "participants": sorted(
            Participant.objects.filter(campaign=campaign).values_list("unit__code", "fills_statistics")
        ),
        "campaign_changes": CampaignChange.objects.count(),
    }


def _indices_snapshot() -> dict:
    from chengxin.indices.models import IndexRelease, IndexUpload, IntegrityIndex

    return {
        "indices": sorted(IntegrityIndex.objects.values_list("code", "name", "method", "base_period")),
        "index_releases": sorted(IndexRelease.objects.values_list("pk", "status", "replaces_id", "reviewed_by_id")),
        "index_uploads": IndexUpload.objects.count(),
    }


def _submit_beijing(bob) -> None:
    report = Report.objects.get(unit__code="110000")
    services.report_submit(report=report, version=report.version, acting_user=bob)


def _outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next="):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_for_every_persona(client, people, beijing_draft, persona):
    user = people[persona]
    wrong = []
    for route in ROUTES:
        if user is not None:  # again for every route: the table also signs out
            _sign_in(client, user)
        with transaction.atomic():
            if route.state == "guangzhou_submitted":
                submitted_report(Campaign.objects.get(year=2020), people["frank"].unit, people["frank"])
            if route.state in ("submitted", "accepted", "published"):
                _submit_beijing(people["bob"])
            if route.state in ("accepted", "published"):
                services.report_accept(report=Report.objects.get(unit__code="110000"), acting_user=people["carol"])
            if route.state == "published":
                from chengxin.analytics.services import campaign_publish_totals

                campaign_publish_totals(campaign=Campaign.objects.get(year=2020), acting_user=people["dave"])
            before = _snapshot()
            url = route.path or reverse(route.name, kwargs=route.kwargs)
            data = route.data() if route.data else {}
            if route.method == "GET":
                response = client.get(url)
            elif route.api:
                key = {"HTTP_IDEMPOTENCY_KEY": f"access-{persona}-{route.name}"}
                if any(hasattr(v, "read") for v in data.values()):
                    response = client.post(url, data, **key)
                else:
                    response = client.generic(route.method, url, json.dumps(data), "application/json", **key)
            else:
                response = client.post(url, data)
            if response.streaming:  # consume, so that the test client closes the file (a manual close()
                b"".join(response.streaming_content)  # would also close the test's database connection)
            got, expected = _outcome(response), route.expect[persona]
            if persona == "ivan" and route.method != "GET" and not auditor_may_post(url):
                expected = 403  # chengxin.audit.middleware: the auditor reads and changes nothing
            if got != expected:
                wrong.append(f"{route}: expected {expected}, got {got}")
            if route.method in ("POST", "PUT"):
                changed = _snapshot() != before
                if expected in (LOGIN, 403, 404) and changed:
                    wrong.append(f"{route}: refused with {got}, yet something changed")
                if persona in route.changes_for and not changed:
                    wrong.append(f"{route}: allowed for {persona} but nothing changed (is the check real?)")
            transaction.set_rollback(True)
    assert wrong == [], "\n" + "\n".join(wrong)


def _named_routes(patterns, namespace: str = "") -> set[str]:
    """Every URL name the project serves, with its namespace (`app:name`), walking the whole URLconf."""
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_routes(pattern.url_patterns, inner)
        elif namespace == "admin:":  # the admin's own pages: one gate, represented by admin:index
            continue
        else:
            assert pattern.name, f"a URL pattern without a name: {namespace}{pattern.pattern}"
            names.add(f"{namespace}{pattern.name}")
    return names


def test_the_table_covers_every_url():
    """A new URL must be added to ROUTES (and so get a decision for every persona) before it can ship.

    The Django admin's own pages are represented by its index (they share one gate: staff and a verified
    second factor); everything else, the API included, needs its own row."""
    declared = _named_routes(get_resolver().url_patterns) | {"admin:index"}
    in_table = {route.name for route in ROUTES}
    assert declared - in_table == set(), "URLs missing from the access table"
    assert in_table - declared == set(), "the access table names URLs that no longer exist"
    for route in ROUTES:
        assert set(route.expect) == set(PERSONAS), route
        reverse(route.name, kwargs=route.kwargs)


def test_alice_with_her_own_identifiers_is_not_refused(client, alice, campaign):
    """The 404s above are about whose unit it is, not a broken page: the same URLs work for her own unit."""
    client.force_login(alice)
    own = {"year": 2020, "unit_code": "440000"}
    for name in ("reporting:entry", "reporting:print"):
        assert client.get(reverse(name, kwargs=own)).status_code == 200, name
    assert client.get(reverse("analytics:completeness", kwargs=YEAR)).status_code == 404
    # Her own review page is her entry page: she cannot review herself.
    response = client.get(reverse("reporting:review", kwargs=own))
    assert response.status_code == 302 and response.url == reverse("reporting:entry", kwargs=own)


def test_unknown_unit_or_year_is_404(client, alice, carol):
    client.force_login(alice)
    assert client.get(reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "999999"})).status_code == 404
    assert client.get(reverse("reporting:entry", kwargs={"year": 2019, "unit_code": "440000"})).status_code == 404
    client.force_login(carol)
    assert client.get(reverse("reporting:review", kwargs={"year": 2020, "unit_code": "NOPE"})).status_code == 404
    assert client.get(reverse("analytics:totals", kwargs={"year": 1999})).status_code == 404
    # A body that is not expected to report this year (the organiser itself) has no report page.
    assert client.get(reverse("reporting:review", kwargs={"year": 2020, "unit_code": "MOFCOM"})).status_code == 404


def test_the_table_agrees_with_the_capability_table(people):
    """The expectations above are what units/capabilities.py says: the personas a kind of page lets in are
    exactly those whose role has its action for Beijing's unit (a change of either side alone fails here)."""
    from django.contrib.auth.models import AnonymousUser

    from chengxin.units.capabilities import Action, can
    from chengxin.units.models import Unit

    beijing = Unit.objects.get(code="110000")
    accounts = {name: (user or AnonymousUser()) for name, user in people.items()}

    def allowed(expectation: dict) -> set[str]:
        return {name for name, outcome in expectation.items() if outcome == 200}

    def able(action: Action, unit=None) -> set[str]:
        return {name for name, user in accounts.items() if can(user, action, unit)}

    assert allowed(UNIT_PAGE) == able(Action.FILL_REPORT, beijing) == {"bob"}
    assert allowed(READ_PAGE) == able(Action.READ_REPORT, beijing) == {"bob", "carol", "dave"}
    assert allowed(NATIONAL_PAGE) == able(Action.VIEW_NATIONAL) == {"carol", "dave"}
    assert allowed(ADMIN_PAGE) == able(Action.MANAGE_CAMPAIGN) == {"dave"}
    assert allowed(AUDIT_PAGE) == able(Action.READ_AUDIT) == {"ivan"}
    assert allowed(SECURITY_PAGE) == able(Action.MANAGE_SECURITY) == {"secadmin"}
    assert allowed(_expect(alice=404, bob=404, carol=404, dave=404, admins=ON_ADMIN)) == able(Action.MANAGE_ACCOUNTS)
    assert allowed(API_REVIEW) == able(Action.REVIEW_REPORT, beijing) == {"carol", "dave"}
    assert allowed(API_UNIT_WRITE) == able(Action.FILL_REPORT, beijing)
    # A province reads and reviews its cities, not another province's.
    guangzhou = Unit.objects.get(code="440100")
    assert able(Action.REVIEW_REPORT, guangzhou) == {"alice"}
    assert able(Action.READ_REPORT, guangzhou) == {"alice", "frank", "carol", "dave"}


# --- every page of a role is reachable by links -----------------------------------------------------------------

# Pages a role may open that no page links to, by design, each with its reason.
NOT_LINKED = {
    "password_reset_confirm": "the one-time link is sent by email or printed by the command line",
    "password_reset_complete": "shown after the one-time link's form",
    "captcha-image": "the picture inside the signing form, not a page",
    "captcha-image-2x": "the picture inside the signing form, not a page",
    "captcha-audio": "the recording behind the signing form's play button",
    "password_change_done": "shown after the password is changed",
    "analytics:map_data": "the data the dashboard's map fetches, not a page",
    "workbooks:job": "an upload's preview and progress: the page an upload leads to",
    "indices:preview": "an index upload's preview: the page the upload leads to",
    # a campaign's numbered parts are deleted only while it is being prepared; the table's 2020 one is published
    "campaigns:publish": "offered only while the campaign is being prepared (筹备中)",
    "campaigns:delete_focus_area": "offered only while the campaign is being prepared (筹备中)",
    "campaigns:delete_requirement": "offered only while the campaign is being prepared (筹备中)",
    "campaigns:delete_plan_activity": "offered only while the campaign is being prepared (筹备中)",
}
_HREF = re.compile(r'<a\s[^>]*href="(/[^"#]*)', re.I)
_GET_FORM = re.compile(r'<form\s(?![^>]*method="post")[^>]*action="(/[^"#]*)"', re.I)


def _crawl(client, start: str, limit: int = 400) -> set[str]:
    """The URL names reached from `start` by following links (and GET forms) only, breadth first."""
    from django.urls import Resolver404, resolve

    seen_paths, names, queue = set(), set(), [start]
    fetched: dict[str, int] = {}
    while queue and len(seen_paths) < limit:
        path = queue.pop(0)
        bare = path.split("?")[0]
        if path in seen_paths or bare.startswith(("/static/", "/media/", "/i18n/", "/accounts/logout")):
            continue
        seen_paths.add(path)
        try:
            match = resolve(bare)
        except Resolver404:
            continue
        names.add(match.view_name)
        if match.view_name.startswith("admin:") and match.view_name != "admin:index":
            continue  # the Django admin's own pages are one gate (admin:index), as in ROUTES
        page_key = match.view_name
        if fetched.get(page_key, 0) >= 3:
            continue  # the same kind of page (another unit, other filters): its kinds of links were seen
        fetched[page_key] = fetched.get(page_key, 0) + 1
        response = client.get(html.unescape(path))
        if response.streaming:
            b"".join(response.streaming_content)
            continue
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        for found in (*_HREF.findall(page), *_GET_FORM.findall(page)):
            if found not in seen_paths:
                queue.append(html.unescape(found))
    return names


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_every_page_of_a_persona_is_reachable_by_links_from_its_landing_page(client, people, beijing_draft, persona):
    """The menu and the pages it leads to reach every page the access table opens (200) to the persona."""
    _sign_in(client, people[persona])
    reached = _crawl(client, "/")
    wanted = {
        r.name
        for r in ROUTES
        if r.method == "GET" and not r.api and r.expect[persona] == 200 and r.name not in NOT_LINKED
    }
    missing = sorted(n for n in wanted - reached if not n.startswith("api:"))
    assert missing == [], "unreachable: " + " ".join(missing)
