from django.urls import path

from personnel import views

app_name = "personnel"
urlpatterns = [
    path("personnel/", views.personnel_list, name="list"),
    path("deployments/", views.deployment_list, name="deployments"),
    path("deployments/new/", views.deployment_create, name="deployment_create"),
    path("deployments/<int:pk>/delete/", views.deployment_delete, name="deployment_delete"),
    path("deployments/import/", views.deployment_import, name="deployment_import"),
    path("deployments/roster.pdf", views.roster_pdf, name="roster_pdf"),
    path("deployments/coverage/", views.coverage, name="coverage"),
    path("deployments/plotting/", views.plotting_view, name="plotting"),
    path("deployments/guard-gaps/", views.guard_gaps, name="guard_gaps"),
    path("deployments/events/", views.event_list, name="events"),
    path("apel/", views.apel_list, name="apels"),
    path("apel/new/", views.apel_create, name="apel_create"),
]
