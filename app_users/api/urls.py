from rest_framework.routers import DefaultRouter

from app_users.api.views import AppUserViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("app-users", AppUserViewSet, basename="app-user")

urlpatterns = router.urls
