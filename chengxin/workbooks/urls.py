from django.urls import path

from chengxin.workbooks import views

app_name = "workbooks"
urlpatterns = [
    path("<int:year>/report/<str:unit_code>/template.xlsx", views.template_download, name="template"),
    path("<int:year>/import/", views.import_page, name="import"),
    path("<int:year>/import/jobs/<uuid:job_id>/", views.job_page, name="job"),
    path("<int:year>/report/<str:unit_code>/export.xlsx", views.unit_xlsx, name="unit_xlsx"),
    path("<int:year>/totals/export.xlsx", views.national_xlsx, name="national_xlsx"),
    path("<int:year>/totals/export.pdf", views.national_pdf, name="national_pdf"),
    path("<int:year>/totals/export.csv", views.national_csv, name="national_csv"),
]
