"""Who a request is: bearer tokens (created on the command line or the token page, revocable, dead with their
account) and the browser session (CSRF on writes)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from chengxin.api.models import ApiToken
from chengxin.api.services import token_create, token_hash, token_revoke
from chengxin.api.tests.conftest import API, ApiClient, token_of
from chengxin.conftest import VALID_FIGURES
from chengxin.core.errors import DomainError
from chengxin.units.models import Role

FORM = "/campaigns/2020/form"


def _detail(response) -> str:
    return response.json()["detail"]


@pytest.mark.parametrize("persona", ["alice", "carol", "dave", "erin"])
def test_a_token_works_for_every_role_that_uses_the_api(request, persona):
    user = request.getfixturevalue(persona)
    response = ApiClient(token_of(user)).get(FORM)
    assert response.status_code == 200
    assert response.json()["campaign"] == 2020


def test_without_credentials_the_answer_is_401_json_with_a_bearer_challenge(as_anonymous):
    response = as_anonymous.get(FORM)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"detail": _detail(response), "errors": []}
    assert "Bearer" in _detail(response)


def test_only_the_hash_of_a_token_is_stored_and_the_prefix_names_it(alice):
    token, raw = token_create(user=alice, name="日报脚本", acting_user=alice)
    assert len(raw) == 64
    assert token.key_hash == token_hash(raw) != raw
    assert token.prefix == raw[:8]
    assert not ApiToken.objects.filter(key_hash=raw).exists()


def test_a_revoked_token_is_refused(alice):
    token, raw = token_create(user=alice, name="", acting_user=alice)
    assert ApiClient(raw).get(FORM).status_code == 200
    token_revoke(token=token, acting_user=alice)
    response = ApiClient(raw).get(FORM)
    assert response.status_code == 401
    assert "撤销" in _detail(response)


def test_the_token_of_a_deactivated_account_is_refused(alice):
    raw = token_of(alice)
    alice.is_active = False
    alice.save()
    assert ApiClient(raw).get(FORM).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Token abc", "Bearer", "Bearer  ", "Bearer a b", "Basic YWxpY2U6cGFzcw==", "bearer-x", "Bearer 不是令牌"],
)
def test_a_malformed_or_unknown_authorization_header_is_401(campaign, header):
    response = Client().get(API + FORM, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"]


def test_an_unknown_token_is_refused_even_with_a_valid_session(alice):
    client = Client()
    client.force_login(alice)
    assert client.get(API + FORM).status_code == 200
    response = client.get(API + FORM, headers={"Authorization": "Bearer " + "0" * 64})
    assert response.status_code == 401


def test_last_use_is_recorded(alice):
    token, raw = token_create(user=alice, name="", acting_user=alice)
    assert token.last_used_at is None
    ApiClient(raw).get(FORM)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_account_creates_tokens_for_itself_only(alice, bob):
    with pytest.raises(DomainError):
        token_create(user=bob, name="", acting_user=alice)
    token, _raw = token_create(user=bob, name="", acting_user=bob)
    with pytest.raises(DomainError) as refused:
        token_revoke(token=token, acting_user=alice)
    assert refused.value.status == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- the session, as the browser (and the interactive docs) use it ---------------------------------------------


def test_a_signed_in_browser_reads_with_its_session(alice):
    client = Client()
    client.force_login(alice)
    response = client.get(API + "/campaigns/2020/reports/440000")
    assert response.status_code == 200
    assert response.json()["unit"] == "440000"


def test_a_session_write_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    body = json.dumps({"version": 0, "values": VALID_FIGURES})
    url = API + "/campaigns/2020/reports/440000"

    refused = client.put(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    client.get(API + "/docs")  # the interactive docs, like any page with a form, set the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.put(url, body, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200
    assert accepted.json()["version"] == 1


def test_a_token_write_needs_no_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.put(
        API + "/campaigns/2020/reports/440000",
        json.dumps({"version": 0, "values": VALID_FIGURES}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_of(alice)}"},
    )
    assert response.status_code == 200


# --- the command line --------------------------------------------------------------------------------------


def test_api_token_command_prints_only_the_token_and_it_works(alice):
    out, err = io.StringIO(), io.StringIO()
    call_command("api-token", "alice", "--name", "每日汇总", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    raw = lines[0]
    assert ApiClient(raw).get(FORM).status_code == 200
    token = ApiToken.objects.get(user=alice)
    assert token.name == "每日汇总"
    assert token.prefix in err.getvalue()


def test_api_token_command_revokes_by_prefix(alice):
    out = io.StringIO()
    call_command("api-token", "alice", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    call_command("api-token", "--revoke", raw[:8], stdout=io.StringIO())
    assert ApiClient(raw).get(FORM).status_code == 401


@pytest.mark.parametrize("args", [["nobody"], ["--revoke", "ffffffff"], ["--revoke", "ab"], []])
def test_api_token_command_refuses_what_it_cannot_do(campaign, args):
    with pytest.raises(CommandError):
        call_command("api-token", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_api_token_command_refuses_an_inactive_account(alice):
    alice.is_active = False
    alice.save()
    with pytest.raises(CommandError, match="停用"):
        call_command("api-token", "alice", stdout=io.StringIO(), stderr=io.StringIO())


# --- the token page ----------------------------------------------------------------------------------------


def test_token_page_shows_a_new_token_once_and_revokes_it(alice, bob):
    client = Client()
    client.force_login(alice)
    created = client.post(API + "/tokens/", {"action": "create", "name": "脚本"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=alice)
    raw = created.context["created"]
    assert raw.startswith(token.prefix)
    assert ApiClient(raw).get(FORM).status_code == 200
    assert raw not in client.get(API + "/tokens/").content.decode()  # shown once

    # bob cannot revoke alice's token through his own page
    other = Client()
    other.force_login(bob)
    assert other.post(API + "/tokens/", {"action": "revoke", "token": token.pk}).status_code == 404

    client.post(API + "/tokens/", {"action": "revoke", "token": token.pk})
    assert ApiClient(raw).get(FORM).status_code == 401


def test_token_page_needs_sign_in(campaign):
    response = Client().get(API + "/tokens/")
    assert response.status_code == 302


@pytest.mark.parametrize(("name", "message"), [("名" * 101, "100"), ("脚本\x00", "控制字符")])
def test_a_token_name_is_checked(alice, name, message):
    with pytest.raises(DomainError, match=message):
        token_create(user=alice, name=name, acting_user=alice)
    assert not ApiToken.objects.exists()


def test_token_page_refuses_a_token_number_that_is_not_ascii_digits(alice):
    """'²' is a digit to str.isdigit() but not to int(): refused with a message naming the field, never a 500."""
    token, raw = token_create(user=alice, name="", acting_user=alice)
    client = Client()
    client.force_login(alice)
    for odd in ["²", "١", "1²", "-1", "1 ", "", "9" * 30]:
        response = client.post(API + "/tokens/", {"action": "revoke", "token": odd})
        assert response.status_code == 422, odd
        assert "token" in response.context["error"].message
        assert [e.field for e in response.context["error"].errors] == ["token"]
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiClient(raw).get(FORM).status_code == 200


# --- separation of duties: the three administrative roles have no API token -------------------------------------

ADMINISTRATORS = ["sysadmin", "secadmin", "ivan"]


@pytest.mark.parametrize("persona", ADMINISTRATORS)
def test_api_token_command_refuses_an_administrator(request, persona):
    request.getfixturevalue(persona)
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("api-token", persona, stdout=out, stderr=io.StringIO())
    assert refused.value.returncode == 1  # what `chengxin api-token` exits with
    assert "不能使用 API 令牌" in str(refused.value)
    assert out.getvalue() == ""
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("persona", ADMINISTRATORS)
def test_the_token_service_refuses_an_administrator(request, persona):
    user = request.getfixturevalue(persona)
    for acting_user in (user, None):  # the account itself, or the server's command line
        with pytest.raises(DomainError, match="不能使用 API 令牌") as refused:
            token_create(user=user, name="", acting_user=acting_user)
        assert refused.value.status == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR])
def test_a_token_stops_working_when_its_account_is_made_an_administrator(carol, role):
    raw = token_of(carol)
    assert ApiClient(raw).get(FORM).status_code == 200
    carol.role = role
    carol.save()
    for response in (ApiClient(raw).get(FORM), ApiClient(raw).get("/campaigns/2020/reports/440000")):
        assert response.status_code == 401
        assert response.json() == ApiClient("0" * 64).get(FORM).json()  # as an unknown token
