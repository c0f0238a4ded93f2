"""Fixtures: a migrated database per run (SQLite, or PostgreSQL with GIE_TEST_BACKEND) and
one app for the run, each test inside a transaction rolled back at the end."""

import decimal
import itertools
import os
import tempfile
import time
import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gie import create_app, db
from gie.app import SESSION_SEEN_AT, SESSION_STARTED_AT
from gie.cli import alembic_config
from gie.cooperatives import services as cooperative_services
from gie.demo import ice_for
from gie.users import services as user_services

# Settings are read from the environment when an app is created, never at import: the tests'
# own, set here, hold for every app the fixtures create.
os.environ["GIE_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="gie-test-instance-")
os.environ["GIE_SECRET_KEY"] = "test-secret-key"
os.environ.pop("GIE_DATABASE_URL", None)

PASSWORD = "correct-horse-battery"
#: the method production hashes passwords with, kept for the tests whose subject is logging in
SHIPPED_PASSWORD_METHOD = user_services.PASSWORD_METHOD
#: one round of PBKDF2: scrypt would cost a tenth of a second at every user a test makes
CHEAP_PASSWORD_METHOD = "pbkdf2:sha256:1"
#: the settings of the app most tests share; a test needing others creates its own app
TEST_SETTINGS = {"TESTING": True, "WTF_CSRF_ENABLED": False}


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(user_services, "PASSWORD_METHOD", CHEAP_PASSWORD_METHOD)
        yield


@pytest.fixture
def shipped_password_hashing(monkeypatch):
    """Passwords hashed as in production, for the tests about logging in."""
    monkeypatch.setattr(user_services, "PASSWORD_METHOD", SHIPPED_PASSWORD_METHOD)


@pytest.fixture(autouse=True)
def _no_float_in_money():
    """A float mixed into a Decimal computation fails loudly."""
    context = decimal.getcontext()
    context.traps[decimal.FloatOperation] = True
    yield
    context.traps[decimal.FloatOperation] = False


def _postgres_admin_url():
    url = os.environ.get("GIE_TEST_DATABASE_URL")
    if not url:
        pytest.fail("GIE_TEST_BACKEND=postgresql needs GIE_TEST_DATABASE_URL", pytrace=False)
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


class Databases:
    """Creates throw-away databases on the backend under test and drops them at the end."""

    def __init__(self, tmp_path_factory):
        self.backend = os.environ.get("GIE_TEST_BACKEND", "sqlite")
        self.tmp = tmp_path_factory
        self.created: list[str] = []

    def new(self) -> str:
        if self.backend == "sqlite":
            path = self.tmp.mktemp("db") / "gie.sqlite"
            return f"sqlite:///{path}"
        admin = _postgres_admin_url()
        name = f"gie_test_{uuid.uuid4().hex[:12]}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as error:  # the PostgreSQL run must fail, never skip
            pytest.fail(f"PostgreSQL is unreachable at {admin!r}: {error}", pytrace=False)
        finally:
            engine.dispose()
        self.created.append(name)
        return admin.set(database=name).render_as_string(hide_password=False)

    def drop_all(self):
        if not self.created:
            return
        engine = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    factory = Databases(tmp_path_factory)
    yield factory
    factory.drop_all()


def migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


@pytest.fixture(scope="session")
def database_url(databases):
    url = databases.new()
    migrate(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def shared_app(engine, database_url):
    """The app behind `app`, created once: creating one per test cost more than most tests."""
    db.session.remove()  # create_app configures the session, which must hold none by then
    return create_app(
        {**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URL": database_url, "GIE_BIND": engine}
    )


@pytest.fixture
def app(shared_app, engine):
    """The shared app, its session bound to one connection inside an outer transaction that is
    rolled back at the end (the session works in savepoints: see gie/db.py)."""
    connection = engine.connect()
    outer = connection.begin()
    # Another app created since (a test's own, the live server's) rebound the session.
    db.session.remove()
    db.session.configure(bind=connection)
    # Tests change settings and swap views: the next test gets the app as it was.
    config, views = dict(shared_app.config), dict(shared_app.view_functions)
    # No application context stays pushed: each request opens and closes its own, as in
    # production, and the session is removed after it. Factories commit for that reason.
    yield shared_app
    db.session.remove()
    outer.rollback()
    connection.close()
    shared_app.config.clear()
    shared_app.config.update(config)
    shared_app.view_functions.clear()
    shared_app.view_functions.update(views)


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_codes = itertools.count(100)


@pytest.fixture
def make_cooperative(session):
    def make(**overrides):
        number = next(_codes)
        data = {
            "code": f"COOP-{number:03d}",
            "name": f"Coopérative {number}",
            "filiere": "pottery",
            "province": "MA-TET",
            "ice": ice_for(7_000_000 + number),
            "status": "active",
        }
        data.update(overrides)
        cooperative = cooperative_services.create_cooperative(session, data)
        session.commit()
        return cooperative

    return make


_emails = itertools.count(1)


@pytest.fixture
def make_user(session, make_cooperative):
    def make(role: str, cooperative=None, **overrides):
        if role == "president" and cooperative is None:
            cooperative = make_cooperative()
        data = {
            "email": f"{role}{next(_emails)}@example.ma",
            "name": f"{role.replace('_', ' ').title()} Test",
            "role": role,
            "password": PASSWORD,
            "cooperative_id": cooperative.id if cooperative else None,
        }
        data.update(overrides)
        user = user_services.create_user(session, **data)
        session.commit()
        return user

    return make


def _log_in_by_session(app, client, user) -> None:
    """What Flask-Login's login_user writes in the session (the user named by their session
    token), with the identifier that session_protection="strong" checks (made of the test
    client's address and user agent), and the times the session's lifetime is measured from."""
    with app.test_request_context(environ_base=client.environ_base):
        identifier = app.login_manager._session_identifier_generator()
    now = time.time()
    with client.session_transaction() as flask_session:
        flask_session.clear()
        flask_session.update(
            {
                "_user_id": user.session_token,
                "_fresh": True,
                "_id": identifier,
                SESSION_STARTED_AT: now,
                SESSION_SEEN_AT: now,
            }
        )


@pytest.fixture
def login_as(app, client, make_user):
    """Log the test client in as a new user of `role`; returns that user. The session is
    written directly: the login form (and its password check) is the subject of
    tests/gie/test_login.py, which logs in with `login_by_form`."""

    def login(role: str, cooperative=None, **overrides):
        user = make_user(role, cooperative, **overrides)
        _log_in_by_session(app, client, user)
        return user

    return login


@pytest.fixture
def login_by_form(client, make_user):
    """Log the test client in as a new user of `role` through the login form."""

    def login(role: str, cooperative=None, **overrides):
        user = make_user(role, cooperative, **overrides)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return user

    return login
