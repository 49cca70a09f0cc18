"""The page an app user's password reset link opens (docs/oioi.md, `user-reset`)."""

from django.views.generic import FormView

from app_users import services
from app_users.forms import AppUserSetPasswordForm
from core.errors import InvalidValue


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
