"""Valid generated commitments for tests (codes with correct check characters)."""

import random

from django.utils import timezone

from chengxin.commitments.models import Commitment, Status
from chengxin.commitments.selectors import name_key
from chengxin.commitments.uscc import ALPHABET, check_character, org_check_character


def make_code(rng: random.Random, region: str = "440300") -> str:
    body = "".join(rng.choice(ALPHABET[:10] + "ABCDEFGH") for _ in range(8))
    first17 = "91" + region + body + org_check_character(body)
    return first17 + check_character(first17)


def make_commitment(campaign, *, name: str, uscc: str | None = None, status=Status.PUBLISHED, **fields):
    rng = random.Random(name)
    return Commitment.objects.create(
        campaign=campaign,
        name=name,
        name_key=name_key(name),
        uscc=uscc or make_code(rng),
        region_code=fields.pop("region_code", "440300"),
        industry=fields.pop("industry", "retail"),
        contact_name=fields.pop("contact_name", "张三"),
        contact_phone=fields.pop("contact_phone", "13800138000"),
        signed_at=fields.pop("signed_at", timezone.now()),
        status=status,
        **fields,
    )
