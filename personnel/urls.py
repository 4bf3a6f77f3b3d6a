from django.urls import path

from personnel import views

app_name = "personnel"
urlpatterns = [
    path("personnel/", views.personnel_list, name="list"),
]
