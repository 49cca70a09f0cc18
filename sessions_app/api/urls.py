from rest_framework.routers import SimpleRouter

from sessions_app.api.views import ChargingSessionViewSet

router = SimpleRouter()
router.register("sessions", ChargingSessionViewSet, basename="session")

urlpatterns = router.urls
