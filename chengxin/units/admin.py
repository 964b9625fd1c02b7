"""The Django admin for units and accounts: the system administrator's tool (三权分立).

The system administrator (role SYSTEM_ADMIN; `is_staff` follows from it, see User.save) creates and edits units
and the reporting accounts, and deactivates accounts. It cannot make a superuser, give permissions or groups,
give one of the three administrative roles, edit an administrator's account, delete accounts or reset a
password: resets belong to the security administrator (/accounts/security/). A superuser exists only on a
developer's machine; a password it sets here is an initial one too, to be changed at the next sign-in.

Two-factor sign-in guards the admin as every other page (TwoFactorMiddleware); django_otp's OTPAdminSite is
not used: it would be a second sign-in form and a second enrolment path beside the one every account uses.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from chengxin.units.models import REPORTING_ROLES, Role, Unit, User
from chengxin.units.services import role_change_needs_approval, role_grant_request, user_require_password_change


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "region_code", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")


# Fields only a superuser sees: with them an account could be given every permission.
SUPERUSER_FIELDS = ("is_superuser", "groups", "user_permissions")


@admin.register(User)
class ChengxinUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "unit", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("单位与角色", {"fields": ("unit", "role", "display_name")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("单位与角色", {"fields": ("unit", "role", "display_name")}))

    def get_fieldsets(self, request, obj=None):
        """Without `is_staff` (it follows from the role) and, for the system administrator, without the fields
        that give permissions."""
        hidden = {"is_staff"} | (set() if request.user.is_superuser else set(SUPERUSER_FIELDS))
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(role.value, role.label) for role in REPORTING_ROLES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        """An administrator's or a superuser's account is read-only here except to a superuser."""
        if obj is not None and not request.user.is_superuser and (obj.is_superuser or obj.role not in REPORTING_ROLES):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """A business role or a reviewer's scope (a national role; the reporter of a unit with sub-units) given here
        by the system administrator takes effect only when a security administrator approves it (two-person rule):
        until then the account keeps its role and unit (a new account gets no unit, so it sees nothing)."""
        role, unit = obj.role, obj.unit
        before = User.objects.filter(pk=obj.pk).first() if change else None
        if request.user.is_superuser or not role_change_needs_approval(before=before, role=role, unit=unit):
            return super().save_model(request, obj, form, change)
        with transaction.atomic():
            obj.role, obj.unit = (before.role, before.unit) if before else (Role.UNIT_REPORTER, None)
            super().save_model(request, obj, form, change)
            role_grant_request(user=obj, role=role, unit=unit, acting_user=request.user)
        messages.warning(
            request,
            _("“%(username)s”的角色“%(role)s”（%(unit)s）须由安全管理员批准后才生效；批准前账号保持原来的角色和单位")
            % {"username": obj.username, "role": Role(role).label, "unit": unit.name if unit else "—"},
        )
        return None

    def has_delete_permission(self, request, obj=None):
        """Accounts are deactivated, not deleted (their history stays); a superuser may still delete."""
        return request.user.is_superuser

    def user_change_password(self, request, id, form_url=""):
        """A password set here is an initial password: its owner must change it at the next sign-in. Resetting
        other people's passwords is the security administrator's (its own pages); here only a superuser may."""
        if not request.user.is_superuser:
            raise PermissionDenied
        with transaction.atomic():
            before = User.objects.filter(pk=unquote(id)).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=unquote(id)).first()
            if (
                user is not None
                and user.pk != request.user.pk
                and user.password != before
                and user.has_usable_password()
            ):
                user_require_password_change(user=user, acting_user=request.user)
        return response


# The authenticators' secrets are nobody's business in the admin (a system administrator could otherwise copy
# someone's second factor); the security administrator resets two-factor on its own pages.
def _unregister_totp_devices() -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if admin.site.is_registered(TOTPDevice):
        admin.site.unregister(TOTPDevice)


_unregister_totp_devices()
