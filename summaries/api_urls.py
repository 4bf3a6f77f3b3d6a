from rest_framework.routers import SimpleRouter

from summaries import api

router = SimpleRouter()
router.register("summaries", api.SummaryViewSet, basename="summary")
router.register("notices", api.NoticeViewSet, basename="notice")

urlpatterns: list = [*router.urls]
