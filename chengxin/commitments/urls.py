from django.urls import path

from chengxin.commitments import views

app_name = "commitments"
urlpatterns = [
    path("<int:year>/", views.search, name="search"),
    path("<int:year>/sign/", views.sign, name="sign"),
    path("<int:year>/moderate/", views.moderate, name="moderate"),
    path("<int:year>/moderate/<int:pk>/publish/", views.publish, name="publish"),
    path("<int:year>/moderate/<int:pk>/reject/", views.reject, name="reject"),
    path("<int:year>/moderate/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
