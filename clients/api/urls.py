from rest_framework.routers import DefaultRouter

from clients.api.views import AuthorizationViewSet, ChargingKeyViewSet, FleetCardViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("charging-keys", ChargingKeyViewSet, basename="charging-key")
router.register("authorizations", AuthorizationViewSet, basename="authorization")
router.register("fleet-cards", FleetCardViewSet, basename="fleet-card")

urlpatterns = router.urls
