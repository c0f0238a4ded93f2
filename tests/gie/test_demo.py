from sqlalchemy import func, select
from stdnum.ma import ice

from gie.cooperatives.models import Cooperative
from gie.demo import PASSWORD
from gie.security import ROLES
from gie.users.models import User
from tests.snapshot import assert_unchanged, snapshot


def test_demo_load_is_idempotent_and_covers_every_role(runner, session):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    cooperatives = session.scalars(select(Cooperative)).all()
    assert len(cooperatives) == 12
    assert all(ice.is_valid(c.ice) for c in cooperatives)
    assert len({c.filiere for c in cooperatives}) >= 8
    assert len({c.province for c in cooperatives}) >= 6
    roles = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert set(roles) == set(ROLES)
    assert roles["president"] == 2
    presidents = session.scalars(select(User).where(User.role == "president")).all()
    assert presidents[0].cooperative_id != presidents[1].cooperative_id


def test_printed_demo_logins_work(runner, client):
    output = runner.invoke(args=["demo", "load"]).output
    emails = [line.split()[-1] for line in output.splitlines() if "@" in line]
    assert len(emails) == 6
    for email in emails:
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        assert client.get("/").status_code == 200
        client.post("/logout")


def test_demo_books_are_open_balanced_and_chained(runner, session):
    from accounting.models import Ledger
    from accounting.reports.statements import trial_balance
    from accounting.services import verify_ledger

    runner.invoke(args=["demo", "load"])
    ledgers = session.scalars(select(Ledger)).all()
    assert {"GIE", "COOP-001"} <= {ledger.code for ledger in ledgers}
    for ledger in ledgers:
        assert verify_ledger(session, ledger.id).ok
        totals = trial_balance(session, ledger.id).totals
        assert totals.period_debit == totals.period_credit > 0


def test_demo_load_refuses_a_database_with_other_cooperatives(runner, session, make_cooperative):
    make_cooperative()
    session.commit()
    before = snapshot(session)
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "pas ceux de la démonstration" in result.output  # commands speak French
    assert_unchanged(session, before)


def test_demo_load_refuses_a_database_with_other_users(runner, session, make_user):
    make_user("admin")
    session.commit()
    before = snapshot(session)
    assert runner.invoke(args=["demo", "load"]).exit_code == 1
    assert_unchanged(session, before)


def test_demo_load_refuses_production_unless_forced(app, runner, session, make_user):
    app.config["GIE_ENV"] = "production"
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "production" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0
    assert runner.invoke(args=["demo", "load", "--force"]).exit_code == 0
    assert session.scalar(select(func.count()).select_from(User)) == 6
