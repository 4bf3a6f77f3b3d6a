from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import ApiTokenViewSet
from accounts.api_own import ObtainTokenView, OwnTokenViewSet

router = SimpleRouter()
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("me/tokens", OwnTokenViewSet, basename="own-token")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    *router.urls,
]
