from rest_framework import serializers

from app_users.models import AppUser


class AppUserSerializer(serializers.ModelSerializer):
    evco_id = serializers.CharField(source="contract.evco_id", read_only=True)
    blocked = serializers.BooleanField(source="is_blocked", read_only=True)

    class Meta:
        model = AppUser
        fields = [
            "id",
            "username",
            "email",
            "evco_id",
            "language",
            "receive_newsletters",
            "blocked",
            "created_at",
        ]
