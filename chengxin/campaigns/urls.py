from django.urls import path

from chengxin.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("<int:year>/", views.overview, name="overview"),
    path("<int:year>/settings/", views.settings_page, name="settings"),
]
