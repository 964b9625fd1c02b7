from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from chengxin.units.models import Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "region_code", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")


@admin.register(User)
class ChengxinUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "unit", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("单位与角色", {"fields": ("unit", "role", "display_name")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("单位与角色", {"fields": ("unit", "role", "display_name")}))
