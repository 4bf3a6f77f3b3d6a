from django.urls import path
from rest_framework.routers import SimpleRouter

from personnel import api, api_coverage, api_deployments

router = SimpleRouter()
router.register("ranks", api.RankViewSet, basename="rank")
router.register("personnel", api.PersonnelViewSet, basename="personnel")
router.register("warrants", api.WarrantViewSet, basename="warrant")
router.register("assignments", api.AssignmentViewSet, basename="assignment")
router.register("deployments", api_deployments.DeploymentViewSet, basename="deployment")
router.register("apels", api_deployments.ApelViewSet, basename="apel")

urlpatterns: list = [
    path(
        "events/<int:pk>/deployments/",
        api_deployments.EventDeploymentsView.as_view(),
        name="event-deployments",
    ),
    path("coverage/", api_coverage.coverage, name="deployment-coverage"),
    path("guard-gaps/", api_coverage.guard_gaps, name="deployment-guard-gaps"),
    *router.urls,
]
