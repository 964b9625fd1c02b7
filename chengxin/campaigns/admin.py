from django.contrib import admin

from chengxin.campaigns.models import Campaign, FocusArea, Participant, PlanActivity, Requirement


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    extra = 0


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0


class PlanActivityInline(admin.TabularInline):
    model = PlanActivity
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "theme", "deadline", "lock_date")
    inlines = [FocusAreaInline, RequirementInline, PlanActivityInline]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("campaign", "unit", "fills_statistics", "deadline_override", "lock_override")
    list_filter = ("campaign", "fills_statistics")
