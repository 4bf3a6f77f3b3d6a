from django.urls import path  # noqa: F401
from rest_framework.routers import SimpleRouter

from personnel import api

router = SimpleRouter()
router.register("ranks", api.RankViewSet, basename="rank")
router.register("personnel", api.PersonnelViewSet, basename="personnel")
router.register("warrants", api.WarrantViewSet, basename="warrant")
router.register("assignments", api.AssignmentViewSet, basename="assignment")

urlpatterns: list = [*router.urls]
