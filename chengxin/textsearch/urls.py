from django.urls import path

from chengxin.textsearch import views

app_name = "textsearch"
urlpatterns = [
    path("", views.search_page, name="search"),
]
