import factory

from oioi_portal import services
from oioi_portal.models import OperatorId, Partner, PartnerIdentifier


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    is_cpo = True
    contact_email = factory.LazyAttribute(lambda o: f"ops@{o.slug}.example")


class PartnerIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerIdentifier

    partner = factory.SubFactory(PartnerFactory)
    value = factory.Sequence(lambda n: f"partner-identifier-{n:06d}")


class OperatorIdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperatorId

    partner = factory.SubFactory(PartnerFactory)
    value = factory.Sequence(lambda n: f"DE*{n:03d}")


def issue_key(partner, **kwargs):
    """A new key for ``partner``; returns (ApiKey, plaintext)."""
    issued = services.api_key_issue(partner, **kwargs)
    return issued.api_key, issued.plaintext
