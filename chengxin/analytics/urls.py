from django.urls import path

from chengxin.analytics import views

app_name = "analytics"
urlpatterns = [
    path("<int:year>/completeness/", views.completeness_page, name="completeness"),
    path("<int:year>/totals/", views.totals_page, name="totals"),
]
