from django.urls import path

from personnel import views

app_name = "personnel"
urlpatterns = [
    path("personnel/", views.personnel_list, name="list"),
    path("personnel/readiness-panel/", views.readiness_panel, name="readiness_panel"),
]
