"""Every portal page under the portal page contract (tests/mixins.py), plus what each shows."""

import itertools

from partners.models import Role
from tests.factories import CDRFactory, ChargingSessionFactory, StationFactory
from tests.mixins import PortalPageContract, portal_partner, portal_user

COLLEAGUES = itertools.count(1)


def cdr_rows(partner, count):
    station = StationFactory(owner=partner)
    return [CDRFactory(cpo=partner, station=station, energy=f"{7 + n}.25") for n in range(count)]


class TestDashboard(PortalPageContract):
    def make_rows(self, partner, count):
        # The flagged CDRs are the rows the dashboard lists one by one.
        return [CDRFactory(cpo=partner, unmatched_user=True) for _ in range(min(count, 10))]

    def url(self, rows):
        return "/portal/"

    def row_text(self, row):
        return f"/portal/cdrs/{row.pk}/"


class TestCDRReport(PortalPageContract):
    exports = True

    def make_rows(self, partner, count):
        return cdr_rows(partner, count)

    def url(self, rows):
        return "/portal/cdrs/"

    def row_text(self, row):
        return f"/portal/cdrs/{row.pk}/" if row else ""


class TestCDRDetail(PortalPageContract):
    detail = True

    def make_rows(self, partner, count):
        station = StationFactory(owner=partner)
        return [CDRFactory(cpo=partner, station=station, revisions=count)]

    def url(self, rows):
        return f"/portal/cdrs/{rows[-1].pk}/"

    def row_text(self, row):
        return row.session_id


class TestStations(PortalPageContract):
    # Every partner has the page; private stations are their owner's alone, whatever the role.
    exports = True

    def make_rows(self, partner, count):
        return [StationFactory(owner=partner, is_private=True) for _ in range(count)]

    def url(self, rows):
        return "/portal/stations/"

    def row_text(self, row):
        return row.external_id


class TestSessions(PortalPageContract):
    roles = frozenset({Role.EMP, Role.OEM})
    exports = True

    def make_rows(self, partner, count):
        cpo = portal_partner(f"CPO of {partner.name}", {Role.CPO})
        connector = StationFactory(owner=cpo).connectors.first()
        return [
            ChargingSessionFactory(
                requested_by=partner,
                connector=connector,
                user_identifier=f"DE*EMP*{n:06d}*{partner.pk % 10}",
            )
            for n in range(count)
        ]

    def url(self, rows):
        return "/portal/sessions/"

    def row_text(self, row):
        return row.user_identifier


class TestUsers(PortalPageContract):
    partner_admin_only = True

    def make_rows(self, partner, count):
        return [portal_user(partner, f"colleague-{next(COLLEAGUES)}") for _ in range(count)]

    def url(self, rows):
        return "/portal/users/"

    def row_text(self, row):
        return row.username
