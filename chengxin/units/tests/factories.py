import factory
from django.utils import timezone

from chengxin.units.models import Role, Unit, UnitKind, User


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"4401{n:02d}")
    name = factory.Sequence(lambda n: f"测试市{n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    kind = UnitKind.CITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    unit = factory.SubFactory(UnitFactory)
    role = Role.UNIT_REPORTER
    # Personas chose their own password just now: PasswordAgeMiddleware does not send them to change it.
    password_changed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-2020")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
