from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from oioi_portal.oioi.views import OIOIRequestView
from oioi_portal.views import healthz

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v4/request", OIOIRequestView.as_view(), name="oioi-request"),
    path("api/v1/", include(("oioi_portal.api.urls", "api"))),
    path("healthz", healthz, name="healthz"),
]
