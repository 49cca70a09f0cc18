from rest_framework.routers import DefaultRouter

from stations.api.views import ConnectorViewSet, StationViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("stations", StationViewSet, basename="station")
router.register("connectors", ConnectorViewSet, basename="connector")

urlpatterns = router.urls
