from django.contrib import admin

from chengxin.statform.models import Figure, Row, Rule, StatForm


class RowInline(admin.TabularInline):
    model = Row
    extra = 0
    fields = ("order", "label", "parent", "depth")


class FigureInline(admin.TabularInline):
    model = Figure
    extra = 0
    fields = (
        "order",
        "code",
        "row",
        "label",
        "unit_of_measure",
        "kind",
        "category",
        "count",
        "per_10k",
        "activity_output",
    )


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0
    fields = ("order", "code", "left", "operator", "right", "severity", "anchor", "message")


@admin.register(StatForm)
class StatFormAdmin(admin.ModelAdmin):
    inlines = [RowInline, FigureInline, RuleInline]
