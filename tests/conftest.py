import pytest
from django.utils import translation

from partners import groups
from tests.helpers import PartnerWithKey, staff_user


@pytest.fixture(autouse=True)
def fresh_rate_limiter():
    """Every test starts with this process's local rate counts empty, as a new worker would."""
    from partners.ratelimit import limiter

    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture(autouse=True)
def default_language():
    """
    Every test starts in the default language: a request in German leaves German active in the
    thread after it (LocaleMiddleware activates, nothing deactivates), which a later test reading
    a lazy label outside a request would see.
    """
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def cpo(db):
    return PartnerWithKey(name="Test CPO", slug="test-cpo", is_cpo=True)


@pytest.fixture
def emp(db):
    return PartnerWithKey(name="Test EMP", slug="test-emp", is_cpo=False, is_emp=True)


@pytest.fixture
def other_cpo(db):
    return PartnerWithKey(name="Other CPO", slug="other-cpo", is_cpo=True)


@pytest.fixture
def partner_server():
    """A real local HTTP server playing a partner's OIOI endpoint."""
    from tests.partner_server import PartnerServer

    server = PartnerServer().start()
    yield server
    server.stop()


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def support_client(client, db):
    """Signed in as read-only support staff."""
    client.force_login(staff_user("support", groups.SUPPORT))
    return client


@pytest.fixture
def management_client(client, db):
    """Signed in as partner-management staff."""
    client.force_login(staff_user("manager", groups.PARTNER_MANAGEMENT))
    return client
