"""
The app users' pages: the OEM's list of its app users in the portal, and the page an app user's
password reset link opens (docs/oioi.md, `user-reset`).
"""

from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from app_users import services
from app_users.filtersets import AppUserFilterSet
from app_users.forms import AppUserSetPasswordForm
from app_users.models import AppUser
from core.errors import InvalidValue
from core.forms import PortalFilterSetMixin
from partners.models import Role
from partners.views import Column, PortalListView


class PortalAppUserFilterSet(PortalFilterSetMixin, AppUserFilterSet):
    left_out = ("since",)
    labels = {"username": _("Username"), "email": _("E-mail address"), "blocked": _("Blocked")}


class AppUserListView(PortalListView):
    """An OEM's app users (user-register), as staff see them, never a password or token."""

    roles = frozenset({Role.OEM})
    model = AppUser
    template_name = "portal/app_users.html"
    context_object_name = "app_users"
    filterset_class = PortalAppUserFilterSet
    columns = (
        Column("username", _("Username"), ("username",)),
        Column("email", _("E-mail address"), ("email",)),
        Column("evco", _("EVCO id"), ("contract__evco_id_normalized",)),
        Column("blocked", _("Blocked"), ("is_blocked",)),
        Column("registered", _("Registered"), ("created_at",)),
    )
    default_sort = "-registered"
    export_name = "app-users"
    export_time_columns = ("registered",)

    def get_queryset(self):
        return super().get_queryset().select_related("contract")

    def export_header(self):
        return ["username", "email", "evco_id", "blocked", "registered"]

    def export_rows(self, queryset):
        for user in queryset.iterator(chunk_size=2000):
            yield [
                user.username,
                user.email,
                user.contract.evco_id,
                user.is_blocked,
                user.created_at,
            ]


class AppUserSetPasswordView(FormView):
    """Anyone holding a valid link may set the password: the link is the credential."""

    form_class = AppUserSetPasswordForm
    template_name = "app_users/set_password.html"

    def dispatch(self, request, *args, **kwargs):
        self.app_user = services.app_user_get_for_reset(kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(app_user=self.app_user, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.app_user is None:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.app_user_set_password(self.app_user, form.cleaned_data["new_password1"])
        except InvalidValue as error:
            form.add_error("new_password1", error.message)
            return self.form_invalid(form)
        return self.render_to_response({"done": True, "app_user": self.app_user})
