"""One input rule set for the web and the API (chengxin/core/inputs.py): no NUL or lone surrogate anywhere, ASCII
digits where a number is parsed, texts within their limits; each refusal a 4xx naming the field, nothing saved.
The fuzzer of every form is chengxin/core/tests/test_fuzz_forms.py; these pin the probe's findings one by one."""

import pytest
from django.urls import reverse

from chengxin.commitments.models import Commitment
from chengxin.conftest import VALID_FIGURES
from chengxin.core.inputs import MAX_FIELD, ascii_int, normalise_query
from chengxin.reporting.models import Report

pytestmark = pytest.mark.django_db

SIGN = {
    "name": "华为技术有限公司",
    "uscc": "914403001922038216",
    "region_code": "440000",
    "industry": "manufacturing",
    "contact_name": "李四",
    "contact_phone": "13800138000",
}


@pytest.mark.parametrize("field", ["name", "contact_name"])
def test_a_nul_in_an_anonymous_form_is_a_422_naming_the_field_and_nothing_is_saved(client, campaign, field):
    response = client.post(reverse("commitments:sign", args=[2020]), {**SIGN, field: "华为\x00技术"})
    assert response.status_code == 422
    assert f"“{field}”不能包含空字符" in response.content.decode()
    assert not Commitment.objects.exists()


def test_a_nul_in_a_search_is_a_422_not_a_500(client, campaign):
    response = client.get(reverse("commitments:search", args=[2020]), {"q": "华为\x00"})
    assert response.status_code == 422 and "“q”不能包含空字符" in response.content.decode()


def test_a_nul_in_a_field_name_is_refused_too(client, campaign, alice):
    client.force_login(alice)
    url = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
    response = client.post(url, {"version": "0", "x_\x00": "说明"})
    assert response.status_code == 422


def test_a_megabyte_of_text_is_refused_before_any_view(client, campaign):
    response = client.post(reverse("commitments:sign", args=[2020]), {**SIGN, "name": "长" * (MAX_FIELD + 1)})
    assert response.status_code == 422 and f"不能超过 {MAX_FIELD} 个字符" in response.content.decode()
    assert not Commitment.objects.exists()


def test_a_form_with_hundreds_of_fields_is_refused(client, campaign, alice):
    client.force_login(alice)
    url = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
    response = client.post(url, {"version": "0", **{f"x_{i}": "说明" for i in range(500)}})
    assert response.status_code == 400


def test_a_superscript_digit_as_the_version_is_a_400_not_a_500(client, campaign, alice):
    client.force_login(alice)
    url = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
    response = client.post(url, {**{f"f_{k}": v for k, v in VALID_FIGURES.items()}, "version": "²"})
    assert response.status_code == 400 and "页面已过期" in response.content.decode()


def test_a_superscript_year_in_the_dashboard_filter_is_ignored(client, carol):
    client.force_login(carol)
    response = client.get(reverse("analytics:dashboard", args=[2020]), {"year": "²"})
    assert response.status_code == 200


def test_only_explanations_of_the_forms_warnings_are_kept_and_each_within_the_limit(client, campaign, alice):
    from chengxin.core.inputs import MAX_TEXT
    from chengxin.statform.selectors import form_definition

    warning = next(r.code for r in form_definition(campaign).rules if r.severity == "warning")
    client.force_login(alice)
    url = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
    figures = {f"f_{k}": v for k, v in VALID_FIGURES.items()}
    client.post(url, {**figures, "version": "0", f"x_{warning}": "说明", "x_not_a_rule": "垃圾"})
    assert Report.objects.get(unit=alice.unit).explanations == {warning: "说明"}
    version = Report.objects.get(unit=alice.unit).version
    response = client.post(url, {**figures, "version": str(version), f"x_{warning}": "长" * (MAX_TEXT + 1)})
    assert response.status_code == 422 and f"说明不能超过 {MAX_TEXT} 个字符" in response.content.decode()
    assert Report.objects.get(unit=alice.unit).explanations == {warning: "说明"}


def test_a_case_title_over_its_length_is_a_422_naming_it(client, campaign, bob):
    client.force_login(bob)
    data = {
        "kind": "star",
        "domain": "commerce",
        "title": "长" * 201,
        "summary": "摘要",
        "body": "正文",
        "case_date": "2020-10-15",
        "action": "submit",
    }
    response = client.post(reverse("portal:case_new"), data)
    assert response.status_code == 422
    assert "200" in response.content.decode()


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), (" 7 ", 7), ("²", None), ("١٢", None), ("１２", None), ("-1", None), ("", None), ("1" * 19, None)],
)
def test_numbers_are_ascii_digits_only(text, number):
    assert ascii_int(text) == number


def test_a_search_text_is_normalised_as_people_mean_it():
    assert normalise_query("\u3000华为  技术 ") == "华为 技术"
    assert normalise_query("ＨＵＡＷＥＩ") == "HUAWEI"
    assert len(normalise_query("长" * 500)) == 100


def test_searches_that_differ_only_in_spaces_are_one_cached_page(client, campaign):
    from django.core.cache import cache

    url = reverse("commitments:search", args=[2020])
    client.get(url, {"q": "华为"})
    keys = len(cache._cache) if hasattr(cache, "_cache") else None
    client.get(url, {"q": "\u3000华为 "})
    if keys is not None:
        assert len(cache._cache) == keys
