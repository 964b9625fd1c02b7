from django.urls import path

from chengxin.analytics import views

app_name = "analytics"
urlpatterns = [
    path("<int:year>/completeness/", views.completeness_page, name="completeness"),
    path("<int:year>/totals/", views.totals_page, name="totals"),
    path("<int:year>/totals/publish/", views.publish_totals, name="publish_totals"),
    path("<int:year>/totals/unpublish/", views.unpublish_totals, name="unpublish_totals"),
    path("<int:year>/dashboard/", views.dashboard_page, name="dashboard"),
    path("<int:year>/dashboard/map.json", views.map_data, name="map_data"),
    path("<int:year>/dashboard/export.csv", views.dashboard_csv, name="dashboard_csv"),
    path("<int:year>/dashboard/<str:unit_code>/", views.dashboard_unit, name="dashboard_unit"),
]
