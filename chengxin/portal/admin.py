from django.contrib import admin

from chengxin.portal.models import CampaignLogo, Case, CasePhoto


class CasePhotoInline(admin.TabularInline):
    """A case's photos, to read: they are uploaded and removed on the case's page (checked by content there)."""

    model = CasePhoto
    fields = ("position", "caption", "original_name", "kind", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "domain", "source_body", "case_date", "status")
    list_filter = ("status", "kind", "domain")
    search_fields = ("title",)
    inlines = [CasePhotoInline]

    # Cases are written and moderated through the library's pages (services.py), which also refresh the public cache.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CampaignLogo)
class CampaignLogoAdmin(admin.ModelAdmin):
    list_display = ("campaign", "kind", "uploaded_at")

    # Uploads go through the checked page (/public/<year>/logo/), never through the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
