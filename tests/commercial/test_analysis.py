"""Analysis of the pipeline: forecast weighted by probability, conversion by stage, won and
lost counts, lost reasons; on screen and as CSV."""

from datetime import date
from decimal import Decimal

import pytest

from commercial import reports, services
from commercial.models import Buyer


@pytest.fixture
def history(session, make_user, make_cooperative):
    """A small hand-made history: six leads of two advisers, their moves and closings."""
    stages = {s.name: s for s in services.ensure_default_stages(session)}
    alice, bruno = (
        make_user("sales_adviser", name="Alice"),
        make_user("sales_adviser", name="Bruno"),
    )
    dairy = make_cooperative(filiere="dairy")
    pottery = make_cooperative(filiere="pottery")
    buyer = Buyer(name="Hôtel", kind="hotel")
    session.add(buyer)
    session.flush()
    month = date(2031, 3, 1)
    later = date(2031, 4, 15)
    # title, owner, cooperative, amount, probability, close, source, path of stages, reason
    rows = [
        ("A", alice, dairy, "10000", 30, date(2031, 3, 10), "trade_fair", ["Qualifié"], ""),
        ("B", alice, dairy, "5000.50", None, date(2031, 3, 28), "referral", ["Négociation"], ""),
        ("C", bruno, pottery, "8000", 50, later, "trade_fair", [], ""),
        ("D", bruno, pottery, "7000", None, month, "call", ["Qualifié", "Gagné"], ""),
        (
            "E",
            alice,
            dairy,
            "3000",
            None,
            month,
            "trade_fair",
            ["Qualifié", "Négociation", "Gagné"],
            "",
        ),
        ("F", bruno, dairy, "4000", None, month, "trade_fair", ["Qualifié", "Perdu"], "Prix"),
        ("G", alice, pottery, "6000", None, None, "website", ["Perdu"], "Prix"),
    ]
    leads = {}
    for title, owner, cooperative, amount, probability, close, source, path, reason in rows:
        lead = services.save_lead(
            session,
            {
                "title": title,
                "buyer_id": buyer.id,
                "amount": Decimal(amount),
                "probability": probability,
                "owner_id": owner.id,
                "cooperative_ids": [cooperative.id],
                "expected_close_on": close,
                "source": source,
            },
            actor=owner,
        )
        for name in path:
            services.move_lead(session, lead.id, stages[name].id, actor=owner, lost_reason=reason)
        if probability is not None and path == []:
            lead.probability = probability
        leads[title] = lead
    session.commit()
    return {"stages": stages, "leads": leads, "alice": alice, "bruno": bruno}


def test_forecast_of_a_month_is_the_weighted_sum_of_its_open_leads(session, history):
    leads = history["leads"].values()
    open_in_march = [
        lead
        for lead in leads
        if lead.stage.kind == "open"
        and lead.expected_close_on
        and (lead.expected_close_on.year, lead.expected_close_on.month) == (2031, 3)
    ]
    expected = sum((lead.amount * lead.probability / 100 for lead in open_in_march), Decimal(0))
    admin = history["alice"]
    rows = {
        month: (count, total, weighted)
        for month, count, total, weighted in reports.forecast(session, admin)
    }
    assert rows["2031-03"] == (
        len(open_in_march),
        sum((lead.amount for lead in open_in_march), Decimal(0)),
        expected.quantize(Decimal("0.01")),
    )
    # A: 10000 x 25 % (the move to Qualifié set the stage's default), B: 5000.50 x 60 %
    assert rows["2031-03"][2] == Decimal("5500.30")
    assert rows["2031-04"][2] == Decimal("4000.00")  # C: 8000 x 50 %
    assert "" not in rows  # G is lost: closed leads are not forecast


def test_conversion_counts_the_leads_that_reached_each_stage_and_were_won(session, history):
    by_name = {
        stage.name: (reached, won)
        for stage, reached, won in reports.conversion(session, history["alice"])
    }
    assert by_name["Nouveau"] == (7, 2)
    assert by_name["Qualifié"] == (4, 2)  # A, D, E, F; D and E won
    assert by_name["Négociation"] == (2, 1)  # B, E
    assert by_name["Gagné"] == (2, 2)
    assert by_name["Perdu"] == (2, 0)


def test_won_and_lost_by_adviser_filiere_source_and_the_lost_reasons(session, history):
    user = history["alice"]
    by_adviser = {row[0]: row[1:] for row in reports.won_lost(session, user, "adviser")}
    assert by_adviser["Alice"] == (1, Decimal("3000"), 1, Decimal("6000"))
    assert by_adviser["Bruno"] == (1, Decimal("7000"), 1, Decimal("4000"))
    by_filiere = {row[0]: row[1:] for row in reports.won_lost(session, user, "filiere")}
    assert by_filiere["dairy"] == (1, Decimal("3000"), 1, Decimal("4000"))
    assert by_filiere["pottery"] == (1, Decimal("7000"), 1, Decimal("6000"))
    by_source = {row[0]: row[1] for row in reports.won_lost(session, user, "source")}
    assert by_source == {"call": 1, "trade_fair": 1, "website": 0}
    assert len(reports.won_lost(session, user, "cooperative")) == 2
    assert reports.lost_reasons(session, user) == [("Prix", 2)]


def test_analysis_page_and_csv(client, login_as, history):
    login_as("admin")
    page = client.get("/commercial/analysis")
    assert page.status_code == 200
    assert "2031-03" in page.text
    export = client.get("/commercial/analysis.csv?report=forecast")
    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    assert "2031-03;2;15000,50;5500,30" in export.text
    international = client.get("/commercial/analysis.csv?report=forecast&dialect=intl")
    assert "2031-03,2,15000.50,5500.30" in international.text
    for report in ("conversion", "lost-reasons", "won-lost-filiere", "won-lost-adviser"):
        assert client.get(f"/commercial/analysis.csv?report={report}").status_code == 200
    assert client.get("/commercial/analysis.csv?report=nothing").status_code == 404
