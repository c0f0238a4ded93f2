"""The instance folder, the SQLite database, the secret key and the upload store are readable
by the application's user only."""

import stat

from gie import config
from gie.files import write_once


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_instance_folder_database_and_secret_key_are_private(tmp_path, monkeypatch):
    instance = tmp_path / "deep" / "instance"
    monkeypatch.setenv("GIE_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("GIE_DATABASE_URL", raising=False)
    monkeypatch.delenv("GIE_SECRET_KEY", raising=False)
    url = config.database_url()
    key = config.secret_key()
    assert url == f"sqlite:///{instance / 'gie.sqlite'}"
    assert mode(instance) == 0o700
    assert mode(instance.parent) == 0o700
    assert mode(instance / "gie.sqlite") == 0o600
    assert mode(instance / "secret_key") == 0o600
    assert len(key) == 64
    assert config.secret_key() == key  # kept, not generated again
    assert sorted(p.name for p in instance.iterdir()) == ["gie.sqlite", "secret_key"]


def test_uploaded_files_and_their_folders_are_private(tmp_path):
    stored = tmp_path / "uploads" / "documents" / "ab" / "abcdef"
    write_once(stored, lambda out: out.write(b"%PDF-1.4"))
    assert mode(stored) == 0o600
    for folder in (stored.parent, stored.parent.parent, tmp_path / "uploads"):
        assert mode(folder) == 0o700
