from django.contrib import admin

from chengxin.notifications.models import Notice, Reminder


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "unit", "kind", "title", "emails_sent", "read_at"]
    list_filter = ["kind", "campaign"]
    search_fields = ["title", "unit__code", "unit__name"]
    raw_id_fields = ["unit"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "campaign", "unit", "days_before", "sent_by"]
    list_filter = ["campaign", "days_before"]
    search_fields = ["unit__code", "unit__name"]
    raw_id_fields = ["unit", "notice", "sent_by"]
