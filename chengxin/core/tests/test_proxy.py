"""The client behind reverse proxies (CHENGXIN_TRUSTED_PROXY_COUNT), and the cap on request bodies. Through
Django's test client here; chengxin/ops/tests/test_stack.py repeats what matters through a real nginx."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from chengxin.audit.models import AuditEvent
from chengxin.conftest import PASSWORD
from chengxin.core.proxy import forwarded_client

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
CLIENT = "203.0.113.5"
FORGED = "198.51.100.99"


@pytest.mark.parametrize(
    ("header", "proxies", "client"),
    [
        ("203.0.113.5", 1, "203.0.113.5"),
        ("198.51.100.99, 203.0.113.5", 1, "203.0.113.5"),  # the client's own entry is to the left: never read
        ("198.51.100.99, 203.0.113.5, 10.0.0.1", 2, "203.0.113.5"),  # load balancer → nginx → app
        ("203.0.113.5", 2, ""),  # shorter than the proxies in front: the setting is wrong, trust nothing
        ("", 1, ""),
        ("not-an-address", 1, ""),
        ("2001:db8::1", 1, "2001:db8::1"),
        ("2001:DB8:0:0::1", 1, "2001:db8::1"),
        ("203.0.113.5", 0, ""),
    ],
)
def test_the_client_is_the_nth_address_from_the_right(header, proxies, client):
    assert forwarded_client(header, proxies) == client


@given(forged=st.lists(st.text(max_size=40).filter(lambda t: "," not in t), max_size=5))
def test_nothing_a_client_prepends_changes_the_answer(forged):
    header = ", ".join([*forged, CLIENT])
    assert forwarded_client(header, 1) == CLIENT


def _sign_in(client, **headers):
    return client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=PROXY, **headers)


def test_behind_one_proxy_the_audit_log_names_the_real_client(client, settings, alice):
    settings.CHENGXIN_TRUSTED_PROXY_COUNT = 1
    _sign_in(client, HTTP_X_FORWARDED_FOR=f"{FORGED}, {CLIENT}")
    assert AuditEvent.objects.filter(action="login").latest("seq").ip == CLIENT


def test_reached_directly_the_forwarded_header_is_ignored(client, alice):
    _sign_in(client, HTTP_X_FORWARDED_FOR=CLIENT)
    assert AuditEvent.objects.filter(action="login").latest("seq").ip == PROXY


@pytest.fixture
def behind_one_proxy(settings):
    """What CHENGXIN_TRUSTED_PROXY_COUNT=1 sets in production (chengxin/settings.py)."""
    settings.CHENGXIN_TRUSTED_PROXY_COUNT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True


def test_behind_a_tls_proxy_a_page_is_served_not_redirected_again(client, behind_one_proxy, campaign):
    response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR=CLIENT)
    assert response.status_code == 200
    assert client.get(reverse("login"), HTTP_X_FORWARDED_FOR=CLIENT).status_code == 301  # plain http: to https


def test_behind_a_tls_proxy_the_sign_in_form_passes_the_csrf_check(behind_one_proxy, alice):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    https = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": CLIENT, "HTTP_HOST": "testserver"}
    browser.get(reverse("login"), **https)
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://testserver",
        **https,
    )
    assert response.status_code == 302, response.content.decode()[:300]


def test_without_a_trusted_proxy_a_forwarded_scheme_is_not_believed(client, settings, campaign):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301


# --- The body cap ---------------------------------------------------------------------------------------------

UPLOAD = reverse("reporting:upload_summary", kwargs={"year": 2020, "unit_code": "440000"})


def _declared(client, url: str, size: int):
    """A POST whose Content-Length says `size` while its body is tiny: the cap must refuse it before reading."""
    return client.generic("POST", url, b"x", content_type="application/octet-stream", CONTENT_LENGTH=str(size))


def test_a_body_over_the_cap_is_refused_before_it_is_read_with_a_chinese_message(client, alice, guangdong_report):
    client.force_login(alice)
    response = _declared(client, UPLOAD, 30 * 1024 * 1024)
    assert response.status_code == 413
    page = response.content.decode()
    assert "提交的内容过大（30 MB）" in page and "21 MB" in page and "未保存任何内容" in page
    assert guangdong_report.summary_files.count() == 0


def test_the_api_answers_the_cap_in_its_json_shape(client, alice):
    client.force_login(alice)
    response = _declared(client, "/api/v1/campaigns/2020/reports/440000/submit", 30 * 1024 * 1024)
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "body"


def test_the_workbook_import_takes_more_than_other_pages(client, alice, settings):
    client.force_login(alice)
    url = reverse("workbooks:import", kwargs={"year": 2020})
    assert _declared(client, url, 30 * 1024 * 1024).status_code != 413  # under its own 100 MB
    response = _declared(client, url, 101 * 1024 * 1024)
    assert response.status_code == 413 and "100 MB" in response.content.decode()


def test_the_cap_follows_the_setting(client, alice, settings):
    settings.CHENGXIN_MAX_REQUEST_BYTES = 1024
    client.force_login(alice)
    assert _declared(client, UPLOAD, 2048).status_code == 413
