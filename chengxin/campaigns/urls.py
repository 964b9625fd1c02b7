from django.urls import path

from chengxin.campaigns import edit_views, views

app_name = "campaigns"
urlpatterns = [
    path("new/", views.new_campaign, name="new"),
    path("<int:year>/", views.overview, name="overview"),
    path("<int:year>/settings/", views.settings_page, name="settings"),
    path("<int:year>/form/", views.form_page, name="form"),
    path("<int:year>/publish/", views.publish_page, name="publish"),
    path("<int:year>/history/", views.history_page, name="history"),
    # editing the campaign (issue 17): edit_views.py, services in editing.py
    path("<int:year>/edit/", edit_views.edit_texts, name="edit"),
    path("<int:year>/edit/focus-areas/", edit_views.sections, {"kind": "focus_area"}, name="edit_focus_areas"),
    path(
        "<int:year>/edit/focus-areas/<int:number>/",
        edit_views.section,
        {"kind": "focus_area"},
        name="edit_focus_area",
    ),
    path(
        "<int:year>/edit/focus-areas/<int:number>/delete/",
        edit_views.section_delete,
        {"kind": "focus_area"},
        name="delete_focus_area",
    ),
    path("<int:year>/edit/requirements/", edit_views.sections, {"kind": "requirement"}, name="edit_requirements"),
    path(
        "<int:year>/edit/requirements/<int:number>/",
        edit_views.section,
        {"kind": "requirement"},
        name="edit_requirement",
    ),
    path(
        "<int:year>/edit/requirements/<int:number>/delete/",
        edit_views.section_delete,
        {"kind": "requirement"},
        name="delete_requirement",
    ),
    path("<int:year>/edit/plan/", edit_views.plan, name="edit_plan"),
    path("<int:year>/edit/plan/<int:number>/", edit_views.plan_activity, name="edit_plan_activity"),
    path("<int:year>/edit/plan/<int:number>/delete/", edit_views.plan_activity_delete, name="delete_plan_activity"),
    path("<int:year>/edit/units/", edit_views.units, name="edit_units"),
    path("<int:year>/edit/units/<str:unit_code>/remove/", edit_views.unit_remove, name="remove_unit"),
]
