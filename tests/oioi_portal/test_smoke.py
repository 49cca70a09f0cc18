from tests.conftest import oioi_post


def test_minimum_version(client, cpo):
    response = cpo.post(client, "api-minimum-version-number", {})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "api-minimum-version-number": {"minimum-version": "4.0.0"},
        "result": {"code": 0, "message": "Success."},
    }


def test_no_key(client, db):
    response = oioi_post(client, None, "api-minimum-version-number", {})
    assert response.status_code == 401
    assert response.json()["result"]["code"] == 210
