from django.urls import path

from chengxin.publications import views

app_name = "publications"
urlpatterns = [
    path("<int:year>/summary/", views.summary_page, name="summary"),
    path("<int:year>/summary/<uuid:job_id>/download/", views.summary_download, name="summary_download"),
]
