from django.urls import path

from chengxin.workbooks import views

app_name = "workbooks"
urlpatterns = [
    path("<int:year>/report/<str:unit_code>/template.xlsx", views.template_download, name="template"),
    path("<int:year>/import/", views.import_page, name="import"),
]
