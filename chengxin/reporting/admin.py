from django.contrib import admin

from chengxin.reporting.models import Report, ReportEvent


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through the reporting services, which keep the history."""

    list_display = ("campaign", "unit", "status", "submitted_at", "late")
    list_filter = ("campaign", "status", "late")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ("at", "report", "actor", "action", "from_status", "to_status")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
