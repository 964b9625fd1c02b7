from django.urls import path

from chengxin.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("new/", views.new_campaign, name="new"),
    path("<int:year>/", views.overview, name="overview"),
    path("<int:year>/settings/", views.settings_page, name="settings"),
    path("<int:year>/form/", views.form_page, name="form"),
]
