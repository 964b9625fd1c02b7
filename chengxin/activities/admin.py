from django.contrib import admin

from chengxin.activities.models import Activity, ActivityPhoto


class PhotoInline(admin.TabularInline):
    model = ActivityPhoto
    extra = 0
    fields = ("original_name", "kind", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "plan_activity", "start_date", "mode", "status")
    list_filter = ("campaign", "status", "mode")
    search_fields = ("title", "unit__name", "unit__code")
    raw_id_fields = ("unit", "plan_activity", "created_by")
    inlines = [PhotoInline]
