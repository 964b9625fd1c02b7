from django.urls import path

from chengxin.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("export.csv", views.event_export, name="export"),
    path("check/", views.chain_check, name="check"),
]
