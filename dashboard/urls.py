from django.urls import path

from operations import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/panels/", views.dashboard_panels, name="dashboard_panels"),
]
