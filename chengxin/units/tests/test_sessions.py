"""Sessions: a new id at sign-in, deleted at sign-out (POST only), idle and absolute time limits."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from chengxin.conftest import PASSWORD
from chengxin.units.middleware import LOGIN_AT, SEEN_AT

pytestmark = pytest.mark.django_db

IDLE_MESSAGE = "长时间未操作，已自动退出，请重新登录"


def entry_url():
    return reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})


def signed_in(client, alice):
    client.force_login(alice)
    assert client.get(entry_url()).status_code == 200
    return client.session.session_key


def set_clock(client, **seconds_ago):
    """Moves the session's sign-in and last-activity times back instead of waiting."""
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"login": LOGIN_AT, "seen": SEEN_AT}[key]] = now - ago
    session.save()


# --- Session id ------------------------------------------------------------------------------------------------


def test_signing_in_gives_the_session_a_new_id_and_drops_the_old_one(client, alice):
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(entry_url()).status_code == 200


def test_signing_out_deletes_the_session(client, alice):
    key = signed_in(client, alice)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(entry_url()).url.startswith(reverse("login"))


def test_signing_out_by_get_is_refused_and_keeps_the_user_signed_in(client, alice):
    key = signed_in(client, alice)
    assert client.get(reverse("logout")).status_code == 405
    assert Session.objects.filter(session_key=key).exists()
    assert client.get(entry_url()).status_code == 200


def test_signing_in_starts_both_clocks(client, alice):
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    session = client.session
    assert abs(session[LOGIN_AT] - time.time()) < 5
    assert abs(session[SEEN_AT] - time.time()) < 5


# --- Idle limit ------------------------------------------------------------------------------------------------


def test_thirty_one_idle_minutes_sign_the_user_out_with_a_message(client, alice):
    key = signed_in(client, alice)
    set_clock(client, login=40 * 60, seen=31 * 60)
    response = client.get(entry_url())
    assert response.url == reverse("login") + "?next=" + entry_url().replace("/", "%2F")
    assert not Session.objects.filter(session_key=key).exists()
    page = client.get(response.url).content.decode()
    assert IDLE_MESSAGE in page
    assert client.get(entry_url()).url.startswith(reverse("login"))


def test_twenty_nine_idle_minutes_keep_the_user_signed_in_and_restart_the_idle_clock(client, alice):
    signed_in(client, alice)
    set_clock(client, login=40 * 60, seen=29 * 60)
    assert client.get(entry_url()).status_code == 200
    assert abs(client.session[SEEN_AT] - time.time()) < 5


def test_activity_within_a_minute_does_not_rewrite_the_session(client, alice):
    signed_in(client, alice)
    set_clock(client, seen=20)
    seen = client.session[SEEN_AT]
    assert client.get(entry_url()).status_code == 200
    assert client.session[SEEN_AT] == seen


def test_an_idle_post_is_refused_and_sent_to_the_login_page(client, alice):
    signed_in(client, alice)
    set_clock(client, seen=31 * 60)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    response = client.post(reverse("password_change"), {})
    assert response.url.startswith(reverse("login"))


def test_an_idle_htmx_request_navigates_the_whole_page_to_the_login(client, alice):
    signed_in(client, alice)
    set_clock(client, seen=31 * 60)
    response = client.get(entry_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login")


def test_the_idle_limit_comes_from_the_settings(settings, client, alice):
    settings.CHENGXIN_SESSION_IDLE_MINUTES = 5
    signed_in(client, alice)
    set_clock(client, seen=6 * 60)
    assert client.get(entry_url()).url.startswith(reverse("login"))


# --- Absolute limit -------------------------------------------------------------------------------------------


def test_twelve_hours_after_signing_in_the_user_is_signed_out_even_when_active(client, alice):
    key = signed_in(client, alice)
    set_clock(client, login=12 * 3600 + 60, seen=30)
    response = client.get(entry_url(), follow=True)
    assert "登录已超过 12 小时，已自动退出，请重新登录" in response.content.decode()
    assert not Session.objects.filter(session_key=key).exists()


def test_eleven_hours_after_signing_in_an_active_user_stays_signed_in(client, alice):
    signed_in(client, alice)
    set_clock(client, login=11 * 3600, seen=5 * 60)
    assert client.get(entry_url()).status_code == 200


def test_the_session_cookie_lasts_no_longer_than_the_absolute_limit(settings):
    assert settings.SESSION_COOKIE_AGE == settings.CHENGXIN_SESSION_ABSOLUTE_HOURS * 3600 == 12 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def test_the_limits_are_read_from_the_environment(monkeypatch):
    import runpy

    import chengxin.settings

    monkeypatch.setenv("CHENGXIN_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("CHENGXIN_SESSION_ABSOLUTE_HOURS", "8")
    monkeypatch.setenv("CHENGXIN_PASSWORD_MAX_AGE_DAYS", "0")
    fresh = runpy.run_path(chengxin.settings.__file__)  # a fresh copy; Django's configured settings stay as they are
    assert fresh["CHENGXIN_SESSION_IDLE_MINUTES"] == 15
    assert fresh["SESSION_COOKIE_AGE"] == 8 * 3600
    assert fresh["CHENGXIN_PASSWORD_MAX_AGE_DAYS"] == 0


def test_an_absolute_limit_below_one_hour_is_refused(monkeypatch):
    import runpy

    from django.core.exceptions import ImproperlyConfigured

    import chengxin.settings

    monkeypatch.setenv("CHENGXIN_SESSION_ABSOLUTE_HOURS", "0")
    with pytest.raises(ImproperlyConfigured, match="CHENGXIN_SESSION_ABSOLUTE_HOURS"):
        runpy.run_path(chengxin.settings.__file__)
