"""Settings, read from the environment. Every setting is listed in the README."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from gie.files import create_private_file, make_private_folder

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def instance_path() -> Path:
    return Path(os.environ.get("GIE_INSTANCE_PATH", DEFAULT_INSTANCE))


def _instance_folder() -> Path:
    """The instance folder, created readable by the application's user only: it holds the
    SQLite database and the secret key."""
    path = instance_path()
    make_private_folder(path)
    return path


def database_url() -> str:
    url = os.environ.get("GIE_DATABASE_URL")
    if url:
        return url
    database = _instance_folder() / "gie.sqlite"
    # Created empty here, 0600, so that SQLite (whose journal files take the database's mode)
    # never creates it with the umask's, often world-readable, mode.
    create_private_file(database)
    return f"sqlite:///{database}"


def secret_key() -> str:
    """GIE_SECRET_KEY, or a key generated once and kept in the instance folder."""
    key = os.environ.get("GIE_SECRET_KEY")
    if key:
        return key
    key_file = _instance_folder() / "secret_key"
    if not key_file.exists():
        # Written whole in a 0600 temporary file, then linked into place: never readable by
        # others, and a second process starting at the same time reads one whole key.
        handle, temporary = tempfile.mkstemp(dir=key_file.parent, prefix=".secret_key-")
        with os.fdopen(handle, "w") as out:
            out.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, key_file)
        os.unlink(temporary)
    return key_file.read_text().strip()


#: The GIE's legal mentions printed on its invoices (CGI art. 145-III): demo values by default,
#: the real ones set in the environment of the production servers.
LEGAL_DEFAULTS = {
    "GIE_LEGAL_NAME": "GIE Tanger-Tétouan-Al Hoceïma",
    "GIE_ADDRESS": "12, avenue Mohammed V, 93000 Tétouan, Maroc",
    "GIE_ICE": "002136093000040",
    "GIE_IF": "50112233",
    "GIE_RC": "Tétouan 23451",
    "GIE_TP": "51201234",
    "GIE_BANK_RIB": "011 640 0000012345678901 23",
}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def from_environment() -> dict:
    secure = os.environ.get("GIE_SECURE_COOKIES", "0") == "1"
    return {
        "GIE_ENV": os.environ.get("GIE_ENV", "development"),
        "SQLALCHEMY_DATABASE_URL": database_url(),
        "SECRET_KEY": secret_key(),
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        # Absolute addresses (calendar feed) name this server, never the request's Host header,
        # which any client sets as it likes.
        "GIE_SERVER_NAME": os.environ.get("GIE_SERVER_NAME", "localhost:5000"),
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        "GIE_LOGIN_MAX_FAILURES": _int("GIE_LOGIN_MAX_FAILURES", 5),
        "GIE_LOGIN_LOCK_MINUTES": _int("GIE_LOGIN_LOCK_MINUTES", 15),
        "GIE_LOGIN_ADDRESS_MAX_FAILURES": _int("GIE_LOGIN_ADDRESS_MAX_FAILURES", 6),
        "GIE_LOGIN_ADDRESS_BLOCK_MINUTES": _int("GIE_LOGIN_ADDRESS_BLOCK_MINUTES", 15),
        "GIE_TRUSTED_PROXIES": _int("GIE_TRUSTED_PROXIES", 0),
        "GIE_SESSION_IDLE_MINUTES": _int("GIE_SESSION_IDLE_MINUTES", 30),
        "GIE_SESSION_MAX_HOURS": _int("GIE_SESSION_MAX_HOURS", 12),
        "GIE_PAGE_SIZE": _int("GIE_PAGE_SIZE", 50),
        "MAX_CONTENT_LENGTH": _int("GIE_MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
        "GIE_UPLOAD_PATH": os.environ.get("GIE_UPLOAD_PATH", str(instance_path() / "uploads")),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Africa/Casablanca",
        **{name: os.environ.get(name, default) for name, default in LEGAL_DEFAULTS.items()},
    }
