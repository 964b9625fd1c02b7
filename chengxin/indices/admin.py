from django.contrib import admin

from chengxin.indices.models import IndexRelease, IntegrityIndex


@admin.register(IntegrityIndex)
class IntegrityIndexAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "publisher", "frequency")
    search_fields = ("name", "code")

    # Indices are described and their releases published through their pages (services.py), which check who acts
    # and refresh the public cache.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndexRelease)
class IndexReleaseAdmin(admin.ModelAdmin):
    list_display = ("index", "version", "status", "published_at")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
