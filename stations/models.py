"""
Stations (points of interest) as CPOs push them, their connectors (EVSEs), the connectors'
status history, the companies the read calls refer to with their images, and the catalogue of
vehicles that plug into connectors. See docs/oioi.md, station-post and after.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partners.models import OperatorId, Partner, PartnerIdentifier


class ConnectorType(models.TextChoices):
    TYPE2 = "Type2"
    COMBO = "Combo"
    CHADEMO = "Chademo"
    SCHUKO = "Schuko"
    TYPE3 = "Type3"
    CEE_BLUE = "CeeBlue"
    PIN_SQUARE_3 = "3PinSquare"
    TYPE1 = "Type1"
    CEE_RED = "CeeRed"
    CEE_2_POLES = "Cee2Poles"
    TESLA = "Tesla"
    SCAME = "Scame"
    NEMA5 = "Nema5"
    CEE_PLUS = "CeePlus"
    T13 = "T13"
    T15 = "T15"
    T23 = "T23"
    MARECHAL = "Marechal"
    TYPE_E = "TypeE"


class ConnectorStatus(models.TextChoices):
    AVAILABLE = "Available"
    OCCUPIED = "Occupied"
    OFFLINE = "Offline"
    RESERVED = "Reserved"
    UNKNOWN = "Unknown"


class PaymentMethod(models.TextChoices):
    """The `payable` filter of station-get-surface."""

    APP = "app"
    RFID = "rfid"


# The station-post fields stored as they come, by group: services, REST and admin list them.
ADDRESS_FIELDS = ("street", "street_number", "city", "zip_code", "country")
CONTACT_FIELDS = ("phone", "fax", "website", "email")
FEATURE_FIELDS = (
    "is_open_24",
    "open_hour_notes",
    "notes",
    "floor_level",
    "total_parking",
    "is_reservable",
    "is_free_charge",
    "is_green_power_available",
    "is_plugin_charge",
    "is_roofed",
    "is_private",
    "is_deleted",
)


class AddressContact(models.Model):
    """An address and ways of contact, as the read calls show them for stations and companies."""

    street = models.CharField(max_length=200, blank=True)
    street_number = models.CharField(max_length=50, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField("zip", max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    fax = models.CharField(max_length=50, blank=True)
    website = models.CharField(max_length=500, blank=True)
    email = models.CharField(max_length=254, blank=True)

    class Meta:
        abstract = True


class Company(AddressContact):
    """
    A company the read calls name by id: a station's operator (one company per operator id,
    created with the operator's first station), its owner (a hotel, a car park, curated by staff)
    and its service providers (the EMPs giving access to it, curated by staff).
    """

    class Type(models.TextChoices):
        CPO = "cpo", "charge point operator"
        EMP = "emp", "e-mobility provider"
        HOTEL = "hotel"
        PARKING = "parking", "car park"
        RETAIL = "retail"
        RESTAURANT = "restaurant"
        MUNICIPALITY = "municipality"
        OTHER = "other"

    name = models.CharField(max_length=200)
    # Free text in the protocol (`company-types`, `owner-type`), offered as choices to staff.
    type = models.CharField(max_length=30, choices=Type, default=Type.CPO)
    description = models.TextField(blank=True)
    operator = models.OneToOneField(
        OperatorId,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="company",
        help_text="The operator id whose stations this company operates.",
    )
    partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="companies",
        help_text="The partner this company is, if it is one.",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "companies"

    def __str__(self):
        return self.name


class StationQuerySet(models.QuerySet):
    def visible_to(self, partner):
        """What read calls show ``partner``: not deleted or hidden; private only to its owner."""
        return self.filter(is_deleted=False, is_hidden=False).filter(
            Q(is_private=False) | Q(owner=partner)
        )


class Station(AddressContact):
    """A charging station as its CPO pushed it (station-post), plus staff curation."""

    external_id = models.CharField(
        "station id", max_length=255, unique=True, help_text="The CPO's id, globally unique."
    )
    # A partner is deleted with its stations (its audit log protects any that ever called us);
    # an operator id or a company alone is not deleted while stations refer to it.
    owner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="stations",
        help_text="The partner that pushed the station.",
    )
    partner_identifier = models.ForeignKey(
        PartnerIdentifier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stations",
        help_text="The partner identifier of the last post.",
    )
    operator = models.ForeignKey(OperatorId, on_delete=models.RESTRICT, related_name="stations")
    operator_company = models.ForeignKey(
        Company, on_delete=models.RESTRICT, related_name="operated_stations"
    )
    owner_company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_stations",
        help_text="Who owns the site (e.g. a hotel), when not the operator.",
    )
    service_providers = models.ManyToManyField(Company, blank=True, related_name="served_stations")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    # Every station has a country (station-post requires it).
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2.")
    is_open_24 = models.BooleanField("open 24 hours", default=False)
    open_hour_notes = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    floor_level = models.IntegerField(null=True, blank=True)
    total_parking = models.PositiveIntegerField(null=True, blank=True)
    is_reservable = models.BooleanField("reservable", default=False)
    is_free_charge = models.BooleanField("free charge", default=False)
    is_green_power_available = models.BooleanField("green power", default=False)
    is_plugin_charge = models.BooleanField("plug-in charge", default=False)
    is_roofed = models.BooleanField("roofed", default=False)
    is_private = models.BooleanField("private", default=False)
    is_deleted = models.BooleanField(
        "deleted", default=False, help_text="Deleted by its CPO; its EVSE ids stay reserved."
    )
    # Curation: staff decisions, never overwritten by the CPO's posts.
    is_hidden = models.BooleanField(
        "hidden from reads", default=False, help_text="Hidden by staff from every read call."
    )
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    is_validated = models.BooleanField("validated", default=False)
    accepts_app = models.BooleanField(
        "payable by app", default=True, help_text="Remote start through an app works here."
    )
    accepts_rfid = models.BooleanField(
        "payable by RFID", default=True, help_text="Charging keys (RFID cards) work here."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_static_change = models.DateTimeField(default=timezone.now)
    last_dynamic_change = models.DateTimeField(null=True, blank=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # The map's bounding box over what the read calls may show: a small index that
            # station-get-surface's WHERE implies, on SQLite and PostgreSQL alike.
            models.Index(
                fields=["latitude", "longitude"],
                condition=Q(is_deleted=False, is_hidden=False),
                name="station_visible_position",
            ),
            models.Index(fields=["owner", "id"], name="station_owner"),
        ]

    def __str__(self):
        return f"{self.name} ({self.external_id})"


class Connector(models.Model):
    """A plug of a station. Several plugs may share one EVSE id, and then one status."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="connectors")
    evse_id = models.CharField("EVSE id", max_length=40, help_text="As the CPO sent it.")
    evse_id_normalized = models.CharField(
        "normalized EVSE id", max_length=40, db_index=True, editable=False
    )
    type = models.CharField(max_length=20, choices=ConnectorType)
    speed = models.FloatField("speed (kW)", validators=[MinValueValidator(0)])
    status = models.CharField(
        max_length=10, choices=ConnectorStatus, default=ConnectorStatus.UNKNOWN
    )
    status_changed_at = models.DateTimeField("last change", null=True, blank=True)
    # The reservation holding the plug, so that station reads need not read reservations:
    # its end and its requester. Kept by whoever takes reservations (sessions_app) as they
    # start and stop; one whose end has passed holds nothing, so expiry needs no write.
    reserved_until = models.DateTimeField(null=True, blank=True, editable=False)
    reserved_by = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["station", "id"]

    def __str__(self):
        return f"{self.evse_id} {self.type}"


class ConnectorStatusChange(models.Model):
    """One change of a connector's status: the history staff and CPOs audit."""

    class Source(models.TextChoices):
        CONNECTOR_POST_STATUS = "connector-post-status"

    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(max_length=10, choices=ConnectorStatus)
    previous_status = models.CharField(max_length=10, choices=ConnectorStatus)
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=30, choices=Source)
    request_id = models.CharField(
        max_length=64, blank=True, help_text="The request in the audit log that made the change."
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["connector", "-changed_at"], name="status_change_history")]

    def __str__(self):
        return f"{self.connector} {self.previous_status} → {self.status}"


class CompanyImage(models.Model):
    """An image of a company, as staff add it: what company-get-images answers."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="images")
    # Apps load it as given, from anywhere: absolute and HTTPS only.
    url = models.URLField(
        "URL", max_length=2000, validators=[URLValidator(schemes=["https"])], help_text="https://…"
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Images are listed by position, then as added."
    )

    class Meta:
        ordering = ["company", "position", "id"]

    def __str__(self):
        return self.url


def validate_connector_types(value):
    """A list of known connector types, each at most once."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("A list of connector types.")
    unknown = sorted(set(value) - set(ConnectorType.values))
    if unknown:
        raise ValidationError(f"Unknown connector types: {', '.join(unknown)}.")
    if len(set(value)) != len(value):
        raise ValidationError("A connector type is listed twice.")


class Vehicle(models.Model):
    """A vehicle of the catalogue staff curate: what vehicle-get-all answers."""

    brand = models.CharField(max_length=100)
    model = models.CharField(max_length=100)
    max_speed = models.FloatField(
        "maximum charging speed (kW)", validators=[MinValueValidator(0), MaxValueValidator(10_000)]
    )
    connector_types = models.JSONField(
        default=list, validators=[validate_connector_types], help_text="The plugs it takes."
    )

    class Meta:
        ordering = ["brand", "model", "id"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "model"], name="vehicle_brand_model"),
        ]

    def __str__(self):
        return f"{self.brand} {self.model}"
