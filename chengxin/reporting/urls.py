from django.urls import path

from chengxin.reporting import views

app_name = "reporting"
urlpatterns = [
    path("<int:year>/report/<str:unit_code>/", views.entry, name="entry"),
    path("<int:year>/report/<str:unit_code>/check/", views.check, name="check"),
    path("<int:year>/report/<str:unit_code>/summary/", views.upload_summary, name="upload_summary"),
    path("<int:year>/report/<str:unit_code>/summary/download/", views.download_summary, name="download_summary"),
    path("<int:year>/report/<str:unit_code>/print/", views.print_view, name="print"),
    path("<int:year>/summaries.zip", views.summaries_zip, name="summaries_zip"),
    path("<int:year>/review/accept-clean/", views.accept_clean, name="accept_clean"),
    path("<int:year>/review/<str:unit_code>/", views.review, name="review"),
    path("<int:year>/review/<str:unit_code>/action/", views.review_action, name="review_action"),
]
