from django.urls import path

from dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/panels/", views.dashboard_panels, name="dashboard_panels"),
    path("personnel/readiness-panel/", views.readiness_panel, name="readiness_panel"),
]
