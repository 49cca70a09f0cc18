"""
The partner portal's shared base and its core pages (dashboard, users, sign-in).

Every portal page derives from ``PartnerPortalMixin``: it resolves the signed-in user's partner
once and scopes every queryset to it through the page's ``partner_scope()``, by default its
model's ``for_partner`` rule, so a page cannot forget the scope (a model without the rule fails
loudly) and another partner's object answers 404.
"""

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView, View

from cdrs import reports as cdr_reports
from partners import selectors, services
from partners.views import PartnerPortalMixin
from portal.forms import InviteForm, ThrottledAuthenticationForm


class PortalLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


# --- dashboard --------------------------------------------------------------------------------


class DashboardView(PartnerPortalMixin, TemplateView):
    template_name = "portal/dashboard.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            api_keys=selectors.api_keys_of(self.partner),
            **cdr_reports.cdr_dashboard(self.partner),
            **kwargs,
        )


# --- users ------------------------------------------------------------------------------------


class UserListView(PartnerPortalMixin, ListView):
    partner_admin_only = True
    template_name = "portal/users.html"
    context_object_name = "memberships"

    def get_queryset(self):
        return selectors.memberships_of(self.partner)


class UserInviteView(PartnerPortalMixin, FormView):
    partner_admin_only = True
    template_name = "portal/user_invite.html"
    form_class = InviteForm

    def form_valid(self, form):
        try:
            user = services.portal_user_invite(
                self.partner,
                **form.cleaned_data,
                invited_by=self.request.user,
                base_url=self.request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(username)s is invited: we sent a link to set a password to %(email)s.")
            % {"username": user.username, "email": user.email},
        )
        return HttpResponseRedirect(reverse("portal:users"))


class UserActiveView(PartnerPortalMixin, View):
    """POST: deactivate (or reactivate) a user of the partner admin's own partner."""

    partner_admin_only = True
    active = False

    def post(self, request, pk):
        membership = get_object_or_404(selectors.memberships_of(self.partner), user_id=pk)
        if membership.user_id == request.user.pk:
            messages.error(request, _("You cannot deactivate yourself."))
        else:
            services.portal_user_set_active(membership, active=self.active)
            template = (
                _("%(username)s can sign in again.")
                if self.active
                else _("%(username)s is deactivated and can no longer sign in.")
            )
            messages.success(request, template % {"username": membership.user.username})
        return HttpResponseRedirect(reverse("portal:users"))
