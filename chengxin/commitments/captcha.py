"""The picture check on the signing form (django-simple-captcha, which needs no outside service), with a spoken
alternative for people who cannot see the picture: the same digits read aloud as a WAV file, made on the server by
flite when it is installed (Debian: apt-get install flite; settings.CAPTCHA_FLITE_PATH).

Digits only: a Chinese user reads and hears them without an English alphabet, and flite reads digits clearly.
"""

import secrets

from captcha.helpers import captcha_audio_url, captcha_image_url
from captcha.models import CaptchaStore
from django.conf import settings
from django.utils import timezone

DIGITS = 4


def digits_challenge() -> tuple[str, str]:
    """(what the picture and the voice show, what is typed): four random digits (CAPTCHA_CHALLENGE_FUNCT)."""
    text = "".join(secrets.choice("0123456789") for _i in range(DIGITS))
    return text, text


def captcha_new() -> dict:
    """A new check for one form: its key (a hidden field) and where its picture and its sound are."""
    key = CaptchaStore.generate_key()
    return {
        "key": key,
        "image_url": captcha_image_url(key),
        "audio_url": captcha_audio_url(key) if settings.CAPTCHA_FLITE_PATH else "",
    }


def captcha_passed(key: str, answer: str) -> bool:
    """True once for the right answer to the check `key` (then it is spent), False for anything else."""
    answer = "".join(ch for ch in (answer or "") if not ch.isspace()).lower()
    if not key or not answer or len(key) > 64:
        return False
    found = CaptchaStore.objects.filter(hashkey=key, response=answer, expiration__gt=timezone.now())
    return found.delete()[0] > 0
