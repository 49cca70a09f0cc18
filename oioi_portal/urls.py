from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from oioi.views import OIOIRequestView
from oioi_portal.views import healthz
from portal.views import PortalLoginView

urlpatterns = [
    # A choice between the partner portal and the staff back-office.
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("api/v4/request", OIOIRequestView.as_view(), name="oioi-request"),
    path("api/v1/", include(("oioi_portal.api_urls", "api"))),
    path("healthz", healthz, name="healthz"),
    path("portal/", include("portal.urls")),
    # Sign-in is throttled; sign-out and password reset are Django's own views.
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Where an OEM app user's password reset link leads (they never sign in here).
    path("accounts/app-user-password/", include("app_users.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "oioi_portal.views.bad_request"
handler404 = "oioi_portal.views.page_not_found"
handler500 = "oioi_portal.views.server_error"
