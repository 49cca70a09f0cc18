"""The clients app's portal pages: a fleet's cards and where their orders stand."""

from django.utils.translation import gettext_lazy as _

from clients.filtersets import FleetCardFilterSet
from clients.models import FleetCard
from core.forms import PortalFilterSetMixin
from core.streaming import stream_rows
from partners.models import Role
from partners.views import Column, PortalListView


class PortalFleetCardFilterSet(PortalFilterSetMixin, FleetCardFilterSet):
    left_out = ("updated_since",)
    labels = {
        "uid": _("Card uid"),
        "member": _("Member uid"),
        "status": _("Status"),
        "rfid": _("UID"),
    }


class FleetCardListView(PortalListView):
    roles = frozenset({Role.FLEET})
    model = FleetCard
    template_name = "portal/fleet_cards.html"
    context_object_name = "cards"
    filterset_class = PortalFleetCardFilterSet
    columns = (
        Column("card", _("Card uid"), ("uid",)),
        Column("member", _("Member"), ("member__uid",)),
        Column("status", _("Status"), ("status",)),
        Column("rfid", _("UID"), ("charging_key__uid",)),
        Column("evco", _("EVCO id"), ("charging_key__contract__evco_id_normalized",)),
        Column("requested", _("Requested for"), ("request_date",)),
        Column("expires", _("Expires"), ("expiration_date",)),
        Column("updated", _("Updated"), ("updated_at",)),
    )
    default_sort = "-updated"
    export_name = "fleet-cards"
    export_time_columns = ("request_date", "activation_date", "expiration_date", "updated_at")

    def get_queryset(self):
        return super().get_queryset().select_related("member", "charging_key__contract")

    def export_header(self):
        return [
            "fm_card_uid",
            "fleet_member_uid",
            "card_status",
            "rfid",
            "evco_id",
            "visual_id",
            "request_date",
            "activation_date",
            "expiration_date",
            "updated_at",
        ]

    def export_rows(self, queryset):
        for card in stream_rows(queryset, chunk_size=2000):
            key = card.charging_key
            yield [
                card.uid,
                card.member.uid,
                card.status,
                key.uid if key else "",
                key.contract.evco_id if key else "",
                card.visual_id,
                card.request_date,
                card.activation_date,
                card.expiration_date,
                card.updated_at,
            ]
