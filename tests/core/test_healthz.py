import pytest

from sohosolo.core import views

pytestmark = pytest.mark.django_db


def test_the_health_probe_reports_database_cache_and_storage_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("failing", ["database", "cache", "storage"])
def test_the_health_probe_answers_503_and_names_the_failing_check(client, monkeypatch, failing, caplog):
    def broken():
        raise RuntimeError("down")

    monkeypatch.setitem(views.HEALTH_CHECKS, failing, broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"][failing] == "error"
    assert [name for name, state in body["checks"].items() if state == "ok"] == [
        name for name in ("database", "cache", "storage") if name != failing
    ]
    assert f"healthz: {failing} failed: down" in caplog.text


def test_the_storage_check_leaves_no_file_behind(client):
    from django.core.files.storage import default_storage

    client.get("/healthz")

    assert default_storage.listdir("healthz")[1] == []


def test_a_cache_that_forgets_values_is_reported_unhealthy(client, monkeypatch):
    monkeypatch.setattr(views.cache, "get", lambda key, default=None: None)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error"
