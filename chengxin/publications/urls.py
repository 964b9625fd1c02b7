from django.urls import path

from chengxin.publications import views

app_name = "publications"
urlpatterns = [
    path("<int:year>/summary/", views.summary_page, name="summary"),
    path("<int:year>/casebook/", views.casebook_page, name="casebook"),
    path("<int:year>/documents/<uuid:job_id>/<slug:fmt>/", views.document_download, name="download"),
]
