from django.urls import path

from chengxin.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.newest, name="home"),
    path("<int:year>/", views.campaign_page, name="campaign"),
]
