from django.urls import path

from chengxin.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<int:year>/remind/", views.remind, name="remind"),
]
