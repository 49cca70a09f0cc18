from rest_framework.routers import DefaultRouter

from cdrs.api.views import CDRViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("cdrs", CDRViewSet, basename="cdr")

urlpatterns = router.urls
