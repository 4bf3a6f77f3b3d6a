from rest_framework.routers import SimpleRouter

from reports.api import AttachmentViewSet, IncidentViewSet, ReportViewSet

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("attachments", AttachmentViewSet, basename="attachment")

urlpatterns = router.urls
