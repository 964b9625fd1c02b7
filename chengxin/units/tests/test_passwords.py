"""Password rules, hashing and the forced change of initial and expired passwords."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chengxin.conftest import PASSWORD
from chengxin.units.models import Role, Unit, User
from chengxin.units.services import user_create

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Blue-Kettle-Walk-77"
ARGON2_FIRST = ["django.contrib.auth.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def real_hashers(settings):
    """The production hashers, whatever a faster test setting says."""
    settings.PASSWORD_HASHERS = ARGON2_FIRST


def refusals(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


def entry_url(year=2020, unit_code="440000"):
    return reverse("reporting:entry", kwargs={"year": year, "unit_code": unit_code})


# --- The rules ------------------------------------------------------------------------------------------------


def test_the_test_password_meets_every_rule_for_each_persona(alice, bob, carol, dave, erin):
    for user in (alice, bob, carol, dave, erin):
        assert refusals(PASSWORD, user) == []


def test_a_long_mixed_password_without_any_user_is_accepted():
    assert refusals(NEW_PASSWORD) == []


def test_eleven_characters_are_too_short():
    assert refusals("Abc-def-123") == ["密码太短，至少须有 12 个字符。"]


@pytest.mark.parametrize("password", ["abcdefgh-ijkl", "abcdefghijkl12", "ABCDEFGHIJKL12", "1234-5678-9012"])
def test_two_character_classes_are_too_simple(password):
    assert "密码须包含大写字母、小写字母、数字、符号中的至少 3 类。" in refusals(password)


def test_chinese_characters_count_as_a_class_of_their_own():
    assert refusals("长城Kettle2walk") == []


@pytest.mark.parametrize(
    ("password", "word"),
    [
        ("我爱商务部-Ab12345", "商务部"),
        ("Mof-Com-2024-xyz", "mofcom"),
        ("MOFCOM2024!abc", "mofcom"),
        ("诚信Abcd-12345", "诚信"),
        ("Cheng Xin 2024!x", "chengxin"),
        ("Shang_Wu-2024!x", "shangwu"),
        ("Xing.Shang.2024!", "xingshang"),
    ],
)
def test_words_of_the_ministry_and_the_campaign_are_refused(password, word):
    assert refusals(password) == [f"密码不能包含“{word}”：商务部、诚信兴商、用户名和本单位的名称、代码容易被猜到。"]


def test_the_documented_demo_password_passes_the_rules_for_every_demo_account():
    from chengxin.units.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
    from chengxin.units.models import Unit, User

    for username, unit_code, role, _name in DEMO_ACCOUNTS:
        user = User(username=username, unit=Unit.objects.get(code=unit_code), role=role)
        assert refusals(DEMO_PASSWORD, user) == [], username


@pytest.mark.parametrize(
    ("password", "word"),
    [
        ("My-Alice-Kettle-7", "alice"),
        ("Kettle#440000ab", "440000"),
        ("广东省Kettle-2024", "广东省"),
        ("广东Kettle-2024", "广东"),
    ],
)
def test_the_username_and_the_units_code_and_names_are_refused(alice, password, word):
    assert f"密码不能包含“{word}”：商务部、诚信兴商、用户名和本单位的名称、代码容易被猜到。" in refusals(
        password, alice
    )


def test_another_units_name_is_not_a_context_word_for_this_user(alice):
    assert refusals("北京Kettle-2024", alice) == []


def test_a_common_password_is_refused():
    assert "这个密码太常见了。" in refusals("Qwertyuiop123")


def test_a_password_like_the_users_email_is_refused(alice):
    alice.email = "liuxiaoming@example.gov.cn"
    assert refusals("Liuxiaoming#2", alice) == ["密码跟 电子邮件地址 太相似了。"]


def test_the_password_change_page_lists_the_rules_in_chinese(client, alice):
    client.force_login(alice)
    page = client.get(reverse("password_change")).content.decode()
    assert "密码至少须有 12 个字符" in page
    assert "至少 3 类" in page
    assert "mofcom" in page


# --- Hashing ----------------------------------------------------------------------------------------------------


def test_new_passwords_are_hashed_with_argon2(real_hashers, campaign):
    user = user_create(
        username="zhaolei", password=NEW_PASSWORD, unit=Unit.objects.get(code="440000"), role="unit_reporter"
    )
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(NEW_PASSWORD)


def test_a_pbkdf2_password_still_signs_in_and_is_rehashed_with_argon2(real_hashers, client, alice):
    changed_at = timezone.now() - timedelta(days=10)
    User.objects.filter(pk=alice.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256"), password_changed_at=changed_at
    )
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$")
    # Rehashing is not a change of password: the password's age is unchanged.
    assert alice.password_changed_at == changed_at


# --- When the password was changed ---------------------------------------------------------------------------


def test_changing_the_password_records_when(alice):
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now() - timedelta(days=30))
    alice.refresh_from_db()
    alice.set_password(NEW_PASSWORD)
    alice.save(update_fields=["password"])
    alice.refresh_from_db()
    assert timezone.now() - alice.password_changed_at < timedelta(minutes=1)


def test_an_account_created_by_an_administrator_has_an_initial_password(campaign):
    user = user_create(
        username="zhaolei", password=NEW_PASSWORD, unit=Unit.objects.get(code="440000"), role="unit_reporter"
    )
    user.refresh_from_db()
    assert user.password_changed_at is None


# --- Forced change --------------------------------------------------------------------------------------------


def test_a_new_account_must_change_its_initial_password_before_anything_else(client, campaign):
    user_create(username="zhaolei", password=NEW_PASSWORD, unit=Unit.objects.get(code="440000"), role="unit_reporter")
    response = client.post(reverse("login"), {"username": "zhaolei", "password": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "您正在使用管理员设置的初始密码" in response.content.decode()
    assert client.get(entry_url()).url == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {"old_password": NEW_PASSWORD, "new_password1": "Red-Lantern-Road-58", "new_password2": "Red-Lantern-Road-58"},
    )
    assert response.url == reverse("password_change_done")
    assert client.get(entry_url()).status_code == 200


def test_an_expired_password_sends_the_user_to_the_change_page_from_every_page(client, alice):
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(alice)
    for url in (entry_url(), reverse("home"), "/admin/"):
        assert client.get(url).url == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert "您的密码已到期" in page


def test_a_refused_new_password_keeps_the_user_on_the_change_page(client, alice):
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Chengxin-2024-ab", "new_password2": "Chengxin-2024-ab"},
    )
    assert response.status_code == 200
    assert "密码不能包含“chengxin”" in response.content.decode()
    assert client.get(entry_url()).url == reverse("password_change")


def test_changing_an_expired_password_lets_the_user_in_again(client, alice):
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "密码已修改" in response.content.decode()
    assert client.get(entry_url()).status_code == 200


def test_a_user_who_must_change_the_password_can_still_sign_out(client, alice):
    User.objects.filter(pk=alice.pk).update(password_changed_at=None)
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_password_younger_than_the_limit_is_not_forced(client, alice):
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now() - timedelta(days=89))
    client.force_login(alice)
    assert client.get(entry_url()).status_code == 200


def test_a_max_age_of_zero_turns_periodic_change_off_but_not_the_initial_change(settings, client, alice, bob):
    settings.CHENGXIN_PASSWORD_MAX_AGE_DAYS = 0
    User.objects.filter(pk=alice.pk).update(password_changed_at=timezone.now() - timedelta(days=900))
    User.objects.filter(pk=bob.pk).update(password_changed_at=None)
    client.force_login(alice)
    assert client.get(entry_url()).status_code == 200
    client.force_login(bob)
    assert client.get(entry_url(unit_code="110000")).url == reverse("password_change")


def test_test_personas_are_not_forced_to_change(client, dave):
    assert dave.role == Role.NATIONAL_ADMIN
    client.force_login(dave)
    assert client.get(reverse("home")).url != reverse("password_change")


def test_demo_accounts_are_not_forced_to_change_their_password(settings, client, campaign):
    from chengxin.units.demo import demo_accounts_ensure

    settings.CHENGXIN_DEMO_ACCOUNTS = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_accounts_ensure()
    assert not User.objects.filter(username="guangdong", password_changed_at__isnull=True).exists()
    client.force_login(User.objects.get(username="guangdong"))
    assert client.get(entry_url()).status_code == 200
