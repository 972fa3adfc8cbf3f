import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/unit/" in str(item.fspath):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(autouse=True)
def _instance_secrets(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings.from_env makes development secrets under instance/: keep them in tmp_path."""
    from app.main import config

    monkeypatch.setattr(config, "DEV_SECRET_FILE", tmp_path / "instance" / "secret_key")
    monkeypatch.setattr(config, "DEV_MASTER_KEY_FILE", tmp_path / "instance" / "master_key")
