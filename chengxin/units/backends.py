"""Django's model backend, reading the signed-in account with its unit in one query: every page's header shows
the unit and its links use the unit's code."""

from django.contrib.auth.backends import ModelBackend


class UnitModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = self.user_model_with_unit().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def user_model_with_unit():
        from chengxin.units.models import User

        return User._default_manager.select_related("unit")
