"""The auditor reads the log and changes nothing: every write request is refused (403) except their own
account's (sign-out, password, two-factor) and the language; a write attempted in their name is refused again
at the model layer, whatever the URL."""

import pytest
from django.urls import reverse

from chengxin.audit.context import audit_context
from chengxin.audit.signals import AuditorWriteRefused
from chengxin.audit.tests.conftest import newest
from chengxin.commitments.models import Commitment
from chengxin.notifications.models import Notice
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db


def test_the_auditors_posts_are_refused_and_change_nothing(client, ivan, campaign):
    client.force_login(ivan)
    before = (Commitment.objects.count(), Notice.objects.count(), Unit.objects.count())
    posts = [
        (reverse("commitments:sign", kwargs={"year": 2020}), {"name": "某公司", "uscc": "914403001922038216"}),
        (reverse("notifications:read_all"), {}),
        (reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "110000"}), {"action": "save"}),
        ("/admin/units/unit/add/", {"code": "469200", "name": "x"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "审计员只能查阅" in response.content.decode()
        refused = newest()
        assert (refused.action, refused.outcome, refused.actor, refused.path) == (
            "request_refused",
            "failure",
            ivan,
            url,
        )
    assert client.post("/api/v1/anything", {}, HTTP_ACCEPT="application/json").json()["detail"].startswith("审计员")
    assert (Commitment.objects.count(), Notice.objects.count(), Unit.objects.count()) == before


def test_the_auditor_may_sign_out_and_choose_a_language(client, ivan):
    client.force_login(ivan)
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert newest().action == "logout"


def test_the_auditor_may_change_their_own_password(client, ivan):
    client.force_login(ivan)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Correct-Horse-2020",
            "new_password1": "Audit-Kettle-2021!",
            "new_password2": "Audit-Kettle-2021!",
        },
    )
    assert response.status_code == 302
    assert newest().changes_dict["password"] == ["***", "***"]


def test_a_write_in_the_auditors_name_is_refused_at_the_model_layer(ivan):
    unit = Unit.objects.get(code="110000")
    with audit_context(user=ivan), pytest.raises(AuditorWriteRefused):
        unit.population = 1
        unit.save()
    unit.refresh_from_db()
    assert unit.population != 1


def test_other_roles_post_as_before(client, dave, campaign):
    client.force_login(dave)
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302


def test_the_security_administrators_pages_are_not_the_auditors_own(client, ivan, alice):
    from chengxin.audit.middleware import auditor_may_post

    assert auditor_may_post(reverse("accounts:two_factor_setup"))
    assert not auditor_may_post(reverse("accounts:security_unlock", kwargs={"pk": alice.pk}))
    client.force_login(ivan)
    assert client.post(reverse("accounts:security_unlock", kwargs={"pk": alice.pk})).status_code == 403
