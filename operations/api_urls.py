from django.urls import path
from rest_framework.routers import SimpleRouter

from operations import api, api_dashboard

router = SimpleRouter()
router.register("units", api.UnitViewSet, basename="unit")
router.register("operations", api.OperationViewSet, basename="operation")
router.register("posts", api.PostViewSet, basename="post")
router.register("events", api.EventViewSet, basename="event")

urlpatterns: list = [
    path("dashboard/", api_dashboard.dashboard, name="api-dashboard"),
    *router.urls,
]
