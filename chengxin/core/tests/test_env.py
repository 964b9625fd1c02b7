"""Settings read from the environment refuse malformed values instead of guessing (core/env.py)."""

import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.smtp import EmailBackend

from chengxin.core.env import email_settings, env_bool, env_choice, env_int, env_list, env_required

VAR = "CHENGXIN_TEST_FLAG"


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "True", "yes", "on", " on ", "Yes\n"])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR) is True
    assert env_bool(VAR, default=False) is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "no", "off", "", "  "])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, default=True) is False


def test_env_bool_unset_gives_the_default(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_bool(VAR) is False
    assert env_bool(VAR, default=True) is True


@pytest.mark.parametrize("raw", ["2", "ture", "y", "enabled", "是", "-1", "true false"])
def test_env_bool_refuses_garbage_and_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured) as info:
        env_bool(VAR, default=True)
    assert VAR in str(info.value)
    assert "not a boolean" in str(info.value)


def test_env_int_reads_whole_numbers_and_refuses_others(monkeypatch):
    monkeypatch.setenv(VAR, "31536000")
    assert env_int(VAR, 5) == 31_536_000
    monkeypatch.setenv(VAR, "")
    assert env_int(VAR, 5) == 5
    monkeypatch.setenv(VAR, "20MB")
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env_int(VAR, 5)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv(VAR, " chengxin.mofcom.gov.cn, ,127.0.0.1,")
    assert env_list(VAR) == ["chengxin.mofcom.gov.cn", "127.0.0.1"]
    monkeypatch.delenv(VAR)
    assert env_list(VAR, ["localhost"]) == ["localhost"]


def test_env_choice_refuses_an_unknown_mode(monkeypatch):
    monkeypatch.setenv(VAR, "production")
    assert env_choice(VAR, ("development", "production"), "development") == "production"
    monkeypatch.setenv(VAR, "prod")
    with pytest.raises(ImproperlyConfigured, match="development, production"):
        env_choice(VAR, ("development", "production"), "development")


def test_env_required_refuses_blank(monkeypatch):
    monkeypatch.setenv(VAR, "   ")
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env_required(VAR)
    monkeypatch.setenv(VAR, "s3cret")
    assert env_required(VAR) == "s3cret"


# --- EMAIL_URL --------------------------------------------------------------------------------------------


def _backend(conf: dict) -> EmailBackend:
    """Build Django's SMTP backend from the settings, the way sending mail would (no connection is made)."""
    return EmailBackend(
        host=conf["EMAIL_HOST"],
        port=conf["EMAIL_PORT"],
        username=conf["EMAIL_HOST_USER"],
        password=conf["EMAIL_HOST_PASSWORD"],
        use_tls=conf["EMAIL_USE_TLS"],
        use_ssl=conf["EMAIL_USE_SSL"],
    )


@pytest.mark.parametrize("url", [None, ""])
def test_no_email_url_prints_mail_to_the_console(url):
    assert email_settings(url) == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_smtp_url_with_starttls_sender_and_escaped_credentials(monkeypatch):
    monkeypatch.setenv(
        "EMAIL_URL",
        "smtp://scjss%40mofcom.gov.cn:p%40ss%3Aword@mail.mofcom.gov.cn:587?starttls=1&from=noreply@mofcom.gov.cn",
    )
    conf = email_settings(os.environ["EMAIL_URL"])
    assert conf == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.mofcom.gov.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "scjss@mofcom.gov.cn",
        "EMAIL_HOST_PASSWORD": "p@ss:word",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "noreply@mofcom.gov.cn",
    }
    backend = _backend(conf)
    assert (backend.host, backend.port, backend.use_tls, backend.use_ssl) == ("mail.mofcom.gov.cn", 587, True, False)


def test_plain_smtp_defaults_to_port_25_without_tls_or_credentials():
    conf = email_settings("smtp://relay.internal")
    assert conf["EMAIL_HOST"] == "relay.internal"
    assert conf["EMAIL_PORT"] == 25
    assert conf["EMAIL_USE_SSL"] is False
    assert conf["EMAIL_USE_TLS"] is False
    assert conf["EMAIL_HOST_USER"] == ""
    assert conf["EMAIL_HOST_PASSWORD"] == ""
    assert "DEFAULT_FROM_EMAIL" not in conf  # the settings' own sender stays


def test_smtps_means_tls_on_connect_on_port_465():
    conf = email_settings("smtps://user:pw@smtp.exmail.qq.com")
    assert conf["EMAIL_PORT"] == 465
    assert conf["EMAIL_USE_SSL"] is True
    assert conf["EMAIL_USE_TLS"] is False
    assert _backend(conf).use_ssl is True
    assert email_settings("smtps://user:pw@smtp.exmail.qq.com:994")["EMAIL_PORT"] == 994


@pytest.mark.parametrize(
    "url",
    ["http://mail.example.com", "mailto:scjss@mofcom.gov.cn", "smtp://", "smtp:///nohost", "mail.example.com:25"],
)
def test_other_urls_are_refused(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(url)


@pytest.mark.parametrize("url", ["smtp://mail.example.com:abc", "smtp://mail.example.com:99999"])
def test_a_malformed_port_is_refused_naming_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(url)


def test_smtps_with_starttls_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings("smtps://user:pw@mail.example.com?starttls=1")
