"""The payloads of the reads for apps: station-get-usage, tariffs-get-by-station-ids,
company-get-images (vehicle-get-all takes none)."""

from rest_framework import serializers

from oioi.serializers import OIOISerializer
from oioi.serializers.stations import MAX_STATION_IDS, IdField, UserSerializer


class StationGetUsageSerializer(OIOISerializer):
    station_id = IdField()


class TariffsGetByStationIdsSerializer(OIOISerializer):
    # Accepted as documented; the answer is the same whoever the user is.
    user = UserSerializer(required=False, allow_null=True)
    station_ids = serializers.ListField(child=IdField(), max_length=MAX_STATION_IDS)


class CompanyGetImagesSerializer(OIOISerializer):
    company_id = IdField()
