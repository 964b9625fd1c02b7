from django.contrib import admin

from chengxin.activities.models import Activity, ActivityOutputValue, ActivityPhoto


class PhotoInline(admin.TabularInline):
    model = ActivityPhoto
    extra = 0
    fields = ("original_name", "kind", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    can_delete = False


class OutputInline(admin.TabularInline):
    """Shown, not edited here: the activity form checks outputs against the campaign's form."""

    model = ActivityOutputValue
    extra = 0
    fields = ("code", "value")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "plan_activity", "start_date", "mode", "status")
    list_filter = ("campaign", "status", "mode")
    search_fields = ("title", "unit__name", "unit__code")
    raw_id_fields = ("unit", "plan_activity", "created_by")
    inlines = [OutputInline, PhotoInline]
