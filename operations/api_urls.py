from rest_framework.routers import SimpleRouter

from operations import api

router = SimpleRouter()
router.register("units", api.UnitViewSet, basename="unit")
router.register("operations", api.OperationViewSet, basename="operation")
router.register("posts", api.PostViewSet, basename="post")
router.register("events", api.EventViewSet, basename="event")

urlpatterns: list = [*router.urls]
