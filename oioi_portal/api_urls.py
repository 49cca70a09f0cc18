from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from partners.api.views import DeliveryViewSet, RequestViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("requests", RequestViewSet, basename="request")
router.register("deliveries", DeliveryViewSet, basename="delivery")

# Each domain app's REST endpoints, from its own `api/urls.py` (a router's urls).
APP_URLCONFS = [
    "clients.api.urls",
    "stations.api.urls",
    "sessions_app.api.urls",
    "cdrs.api.urls",
    "app_users.api.urls",
]

urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(
            url_name="api:schema", authentication_classes=[], permission_classes=[]
        ),
        name="docs",
    ),
    path("", include(router.urls)),
    *(path("", include(urlconf)) for urlconf in APP_URLCONFS),
]
