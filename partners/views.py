from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.views.generic import ListView

from core import exports
from partners import selectors


class PartnerPortalMixin:
    """
    Resolves ``self.partner`` and ``self.membership`` for the signed-in user before any page code
    runs: anonymous users are sent to sign in, users of no (active) partner get a page saying
    so, pages meant for other roles (``roles``) or for partner admins answer 404.
    """

    # The partner roles a page is for; empty: every partner.
    roles = frozenset()
    partner_admin_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.membership = selectors.membership_for(request.user)
        if self.membership is None or not self.membership.partner.is_active:
            return render(
                request, "portal/no_partner.html", {"membership": self.membership}, status=403
            )
        self.partner = self.membership.partner
        if self.roles and not self.roles & self.partner.roles:
            raise Http404
        if self.partner_admin_only and not self.membership.is_partner_admin:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.partner_scope(super().get_queryset(), self.partner)

    def partner_scope(self, queryset, partner):
        # The model's one rule, which REST and OIOI apply too; a page overrides this only to
        # pass the options the rule names.
        return queryset.for_partner(partner)

    def get_context_data(self, **kwargs):
        return super().get_context_data(partner=self.partner, membership=self.membership, **kwargs)


@dataclass(frozen=True)
class Column:
    """A sortable column of a portal table: its ``sort`` parameter value and what it orders by."""

    key: str
    label: str
    ordering: tuple = ()


class PortalListView(PartnerPortalMixin, ListView):
    """
    A filtered, sortable, paginated table with a download of exactly the filtered rows
    (``?export=csv`` or ``?export=xlsx``). Subclasses set ``filterset_class``, ``columns`` and
    ``default_sort``, and define ``export_header()`` and ``export_rows(queryset)``, rows of
    Python values (or ``export(queryset, export_format)`` altogether); ``export_time_columns``
    names the header cells holding times.
    """

    filterset_class = None
    columns = ()
    default_sort = ""
    paginate_by = 50
    export_name = "export"
    export_time_columns = ()

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("export")
        if export_format in exports.FORMATS:
            return self.export(self.get_queryset(), export_format)
        return super().get(request, *args, **kwargs)

    def export(self, queryset, export_format):
        header, rows = self.export_header(), self.export_rows(queryset)
        if export_format == exports.XLSX:
            return exports.xlsx_response(
                self.export_name, header, rows, time_columns=self.export_time_columns
            )
        return exports.streamed_csv(self.export_name, header, rows)

    def get_filterset(self, queryset):
        return self.filterset_class(self.request.GET or None, queryset=queryset)

    def get_queryset(self):
        self.filterset = self.get_filterset(super().get_queryset())
        # A filter that does not validate shows nothing rather than everything (its error
        # is on the form).
        valid = not self.filterset.is_bound or self.filterset.is_valid()
        self.filtered = self.filterset.qs if valid else self.filterset.queryset.none()
        return self.filtered.order_by(*self.get_ordering())

    def sort_key(self):
        sort = self.request.GET.get("sort", self.default_sort)
        return sort if sort.lstrip("-") in self.sortable() else self.default_sort

    def sortable(self):
        return {column.key: column.ordering for column in self.columns if column.ordering}

    def get_ordering(self):
        sort = self.sort_key()
        descending = sort.startswith("-")
        fields = self.sortable()[sort.lstrip("-")]
        # The primary key last: pages never repeat or skip a row among equal values.
        return [f"-{f}" if descending else f for f in fields] + ["-pk" if descending else "pk"]

    def header(self):
        """The table's header cells with their sort links and aria-sort state."""
        current = self.sort_key()
        cells = []
        for column in self.columns:
            state = None
            if column.ordering and current.lstrip("-") == column.key:
                state = "descending" if current.startswith("-") else "ascending"
            next_sort = f"-{column.key}" if state == "ascending" else column.key
            cells.append(
                {
                    "column": column,
                    "sortable": bool(column.ordering),
                    "state": state,
                    "next": next_sort,
                }
            )
        return cells

    def get_context_data(self, **kwargs):
        return super().get_context_data(filterset=self.filterset, header=self.header(), **kwargs)
