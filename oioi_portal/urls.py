from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from oioi_portal.oioi.views import OIOIRequestView
from oioi_portal.portal.views import PortalLoginView
from oioi_portal.views import healthz

urlpatterns = [
    # A choice between the partner portal and the staff back-office.
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("api/v4/request", OIOIRequestView.as_view(), name="oioi-request"),
    path("api/v1/", include(("oioi_portal.api.urls", "api"))),
    path("healthz", healthz, name="healthz"),
    path("portal/", include("oioi_portal.portal.urls")),
    # Sign-in is throttled; sign-out and password reset are Django's own views.
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "oioi_portal.views.bad_request"
handler404 = "oioi_portal.views.page_not_found"
handler500 = "oioi_portal.views.server_error"
