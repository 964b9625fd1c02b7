"""Anonymous endpoints that resist abuse (issue 12): 3,003 commitments were signed from one address in 27 s, and
anyone could squat another firm's code. Now each client address has a rate of signing and of searching, and the
signing form has a picture check with a spoken alternative."""

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from chengxin.commitments.models import Commitment

pytestmark = pytest.mark.django_db

SIGN = {
    "name": "华为技术有限公司",
    "uscc": "914403001922038216",
    "region_code": "440000",
    "industry": "manufacturing",
    "contact_name": "李四",
    "contact_phone": "13800138000",
}


def _form(client):
    page = client.get(reverse("commitments:sign", args=[2020]))
    key = page.context["captcha"]["key"]
    return key, CaptchaStore.objects.get(hashkey=key).response


def test_signing_needs_the_digits_of_the_picture_and_each_check_works_once(client, campaign, abuse_guards):
    url = reverse("commitments:sign", args=[2020])
    key, digits = _form(client)
    assert len(digits) == 4 and digits.isdigit()
    wrong = client.post(url, {**SIGN, "captcha_key": key, "captcha": "0000" if digits != "0000" else "1111"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    assert not Commitment.objects.exists()
    key, digits = _form(client)
    assert client.post(url, {**SIGN, "captcha_key": key, "captcha": f" {digits} "}).status_code == 200
    assert Commitment.objects.count() == 1
    again = client.post(url, {**SIGN, "captcha_key": key, "captcha": digits, "name": "华为（再次）"})
    assert again.status_code == 422 and Commitment.objects.count() == 1  # a check is spent once passed


def test_the_picture_is_served_and_the_form_offers_the_spoken_alternative(client, campaign, abuse_guards, settings):
    settings.CAPTCHA_FLITE_PATH = "/usr/bin/flite"
    page = client.get(reverse("commitments:sign", args=[2020]))
    body = page.content.decode()
    captcha = page.context["captcha"]
    assert captcha["audio_url"] in body and "收听语音验证码" in body
    image = client.get(captcha["image_url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_one_address_signs_at_most_the_rate_then_gets_429(client, campaign, abuse_guards, settings):
    settings.CHENGXIN_SIGN_CAPTCHA = False
    settings.CHENGXIN_SIGN_RATE = "3/h"
    url = reverse("commitments:sign", args=[2020])
    answers = [client.post(url, SIGN, REMOTE_ADDR="198.51.100.9").status_code for _ in range(5)]
    assert answers[:3] != [429] * 3 and answers[3:] == [429, 429]
    limited = client.post(url, SIGN, REMOTE_ADDR="198.51.100.9")
    assert "操作太频繁" in limited.content.decode() and limited["Retry-After"] == "60"
    assert client.post(url, SIGN, REMOTE_ADDR="198.51.100.10").status_code != 429  # another client is not held up


def test_search_is_rate_limited_per_client_even_when_cached(client, campaign, abuse_guards, settings):
    settings.CHENGXIN_SEARCH_RATE = "5/m"
    url = reverse("commitments:search", args=[2020])
    answers = [client.get(url, {"q": "华为"}, REMOTE_ADDR="198.51.100.9").status_code for _ in range(7)]
    assert answers == [200] * 5 + [429, 429]
    assert client.get(url, {"q": "华为"}, REMOTE_ADDR="198.51.100.10").status_code == 200


def test_behind_the_proxy_the_rate_is_the_real_clients(client, campaign, abuse_guards, settings):
    settings.CHENGXIN_SEARCH_RATE = "2/m"
    settings.CHENGXIN_TRUSTED_PROXY_COUNT = 1
    url = reverse("commitments:search", args=[2020])
    via = {"REMOTE_ADDR": "10.0.0.2"}  # nginx
    for _ in range(2):
        client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7", **via)
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7", **via).status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.8", **via).status_code == 200


def test_the_spoken_alternative_is_a_real_recording_of_the_digits(client, campaign, abuse_guards, settings):
    import os
    import shutil

    flite = shutil.which("flite")
    if flite is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("flite is not installed but CI=true: .ci/run must install it")
        pytest.skip("spoken captcha test skipped: flite is not installed (apt-get install flite)")
    settings.CAPTCHA_FLITE_PATH = flite
    captcha = client.get(reverse("commitments:sign", args=[2020])).context["captcha"]
    audio = client.get(captcha["audio_url"])
    body = b"".join(audio.streaming_content) if audio.streaming else audio.content
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/wav"
    assert body[:4] == b"RIFF" and len(body) > 10_000
