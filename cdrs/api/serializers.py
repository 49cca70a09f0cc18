from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cdrs.models import CDR, COST_DIGITS, COST_PLACES


class UserSerializer(serializers.ModelSerializer):
    identifier_type = serializers.CharField(source="user_identifier_type")
    identifier = serializers.CharField(
        source="customer_shown",
        help_text="As the CPO sent it; masked but for the last four characters unless the "
        "customer is yours.",
    )

    class Meta:
        model = CDR
        fields = ["identifier_type", "identifier"]


class CostSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(
        source="cost_amount", max_digits=COST_DIGITS, decimal_places=COST_PLACES
    )
    currency = serializers.CharField(source="cost_currency", help_text="ISO 4217.")

    class Meta:
        model = CDR
        fields = ["amount", "currency"]


class CDRSerializer(serializers.ModelSerializer):
    """A CDR as the CPO posted it, with what we matched it to and whom we forwarded it to."""

    cpo = serializers.CharField(source="cpo.name", help_text="The CPO that posted it.")
    recipient = serializers.CharField(
        source="recipient.name",
        allow_null=True,
        default=None,
        help_text="The EMP, OEM or fleet partner it is forwarded to once final.",
    )
    evco_id = serializers.SerializerMethodField(
        help_text="The EVCO id of the contract we matched the user to, as billed (null when "
        "unmatched); masked but for the last four characters unless the customer is yours.",
    )
    user = UserSerializer(source="*")
    cost = serializers.SerializerMethodField()

    class Meta:
        model = CDR
        fields = [
            "id",
            "state",
            "cpo",
            "session_id",
            "evse_id",
            "station",
            "connector",
            "user",
            "evco_id",
            "recipient",
            "session_start",
            "session_stop",
            "charging_start",
            "charging_stop",
            "energy_kwh",
            "cost",
            "unmatched_user",
            "unmatched_connector",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evco_id(self, cdr):
        return cdr.evco_id_shown or None

    @extend_schema_field(CostSerializer(allow_null=True))
    def get_cost(self, cdr):
        return None if cdr.cost_amount is None else CostSerializer(cdr).data
