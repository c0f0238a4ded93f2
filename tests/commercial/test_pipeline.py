"""The sales advisers' pipeline: moves through one service (timeline, lost reason), who may
edit which lead, and what a president sees."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from commercial import services
from commercial.models import Activity, Buyer, Lead, LeadEvent
from gie.errors import PermissionDenied, ValidationError
from tests.snapshot import assert_unchanged, snapshot


@pytest.fixture
def stages(session):
    found = {
        stage.name: SimpleNamespace(id=stage.id, kind=stage.kind)
        for stage in services.ensure_default_stages(session)
    }
    session.commit()
    return found


@pytest.fixture
def make_lead(session, stages, make_cooperative):
    def make(owner, *, cooperatives=None, title="Huile pour l'hôtel", amount="10000", **extra):
        buyer = Buyer(name=f"Acheteur de {title}", kind="hotel")
        session.add(buyer)
        session.flush()
        lead = services.save_lead(
            session,
            {
                "title": title,
                "buyer_id": buyer.id,
                "amount": Decimal(amount),
                "owner_id": owner.id,
                "cooperative_ids": [c.id for c in (cooperatives or [make_cooperative()])],
                **extra,
            },
            actor=owner,
        )
        session.commit()
        return SimpleNamespace(id=lead.id)  # outlives the session a request removes

    return make


def _events(session, lead_id):
    return list(
        session.scalars(
            select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id)
        )
    )


def test_default_stages_are_ordered_with_final_won_and_lost(session, stages):
    ordered = services.list_stages(session)
    assert [s.name for s in ordered] == [
        "Nouveau",
        "Qualifié",
        "Échantillon envoyé",
        "Négociation",
        "Gagné",
        "Perdu",
    ]
    assert [s.probability for s in ordered] == [10, 25, 40, 60, 100, 0]
    assert [s.kind for s in ordered][-2:] == ["won", "lost"]
    assert all(s.name_ar for s in ordered)
    assert len(services.ensure_default_stages(session)) == 6  # idempotent


def test_moving_a_card_records_the_change_in_the_timeline(
    client, session, login_as, make_lead, stages
):
    adviser = login_as("sales_adviser")
    lead = make_lead(adviser)
    target = stages["Qualifié"]
    response = client.post(
        f"/commercial/leads/{lead.id}/move",
        data={"stage_id": target.id, "next": "/commercial/pipeline"},
    )
    assert response.status_code == 302
    assert response.location.endswith("/commercial/pipeline")
    session.expire_all()
    moved = session.get(Lead, lead.id)
    assert moved.stage_id == target.id
    assert moved.probability == 25
    events = _events(session, lead.id)
    assert [(e.from_stage_id, e.to_stage_id) for e in events] == [
        (None, stages["Nouveau"].id),
        (stages["Nouveau"].id, target.id),
    ]
    assert events[-1].user_id == adviser.id
    page = client.get(f"/commercial/leads/{lead.id}").text
    assert "Qualifié" in page and "Nouveau" in page


def test_moving_to_lost_needs_a_reason_and_changes_nothing_without(
    client, session, login_as, make_lead, stages
):
    adviser = login_as("sales_adviser")
    lead = make_lead(adviser)
    lost = stages["Perdu"]
    response = client.post(f"/commercial/leads/{lead.id}/move", data={"stage_id": lost.id})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Lead, lead.id).stage_id == stages["Nouveau"].id
    assert len(_events(session, lead.id)) == 1
    with pytest.raises(ValidationError) as refused:
        services.move_lead(session, lead.id, lost.id, actor=adviser)
    assert "lost_reason" in refused.value.field_errors

    client.post(
        f"/commercial/leads/{lead.id}/move",
        data={"stage_id": lost.id, "lost_reason": "Prix trop élevé"},
    )
    session.expire_all()
    closed = session.get(Lead, lead.id)
    assert closed.stage_id == lost.id
    assert closed.lost_reason == "Prix trop élevé"
    assert closed.closed_on == date.today()
    assert _events(session, lead.id)[-1].note == "Prix trop élevé"


def test_a_move_the_stage_refuses_goes_back_with_the_reason_and_changes_nothing(
    client, session, login_as, make_lead, stages
):
    adviser = login_as("sales_adviser", locale="en")
    lead = make_lead(adviser)
    before = snapshot(session)
    response = client.post(
        f"/commercial/leads/{lead.id}/move",
        data={"stage_id": stages["Perdu"].id, "next": "/commercial/pipeline"},
    )
    assert response.status_code == 302
    assert response.location.endswith("/commercial/pipeline")
    assert_unchanged(session, before)
    page = client.get(response.location).text
    assert "Say why the lead was lost." in page
    assert "Lead moved." not in page


def test_a_move_of_another_advisers_lead_is_forbidden_and_changes_nothing(
    client, session, login_as, make_user, make_lead, stages
):
    lead = make_lead(make_user("sales_adviser"), title="Le lead d'un collègue")
    login_as("sales_adviser", locale="en")
    before = snapshot(session)
    response = client.post(
        f"/commercial/leads/{lead.id}/move",
        data={"stage_id": stages["Qualifié"].id, "next": "/commercial/pipeline"},
    )
    assert response.status_code == 403
    assert "Lead moved." not in response.text
    assert_unchanged(session, before)


def test_the_board_lists_cards_with_totals_and_a_no_js_move_form(
    client, session, login_as, make_lead, stages
):
    adviser = login_as("sales_adviser")
    make_lead(adviser, title="Tapis", amount="20000")
    page = client.get("/commercial/pipeline")
    assert page.status_code == 200
    text = page.text
    assert "Tapis" in text
    assert 'class="move-form"' in text and 'name="stage_id"' in text
    assert "js/pipeline.js" in text and "<script>" not in text
    columns = services.board(session, adviser)
    first = next(c for c in columns if c["stage"].id == stages["Nouveau"].id)
    assert first["total"] == Decimal("20000")
    assert first["weighted"] == Decimal("2000.00")


def test_an_adviser_sees_but_cannot_edit_another_advisers_lead(
    client, session, login_as, make_user, make_lead, stages
):
    other = make_user("sales_adviser")
    lead = make_lead(other, title="Le lead d'un collègue")
    adviser = login_as("sales_adviser")
    assert "Le lead d&#39;un collègue" in client.get("/commercial/pipeline").text
    assert client.get(f"/commercial/leads/{lead.id}").status_code == 200
    assert client.get(f"/commercial/leads/{lead.id}/edit").status_code == 403
    response = client.post(
        f"/commercial/leads/{lead.id}/move", data={"stage_id": stages["Qualifié"].id}
    )
    assert response.status_code == 403
    session.expire_all()
    assert session.get(Lead, lead.id).stage_id == stages["Nouveau"].id
    with pytest.raises(PermissionDenied):
        services.move_lead(session, lead.id, stages["Qualifié"].id, actor=adviser)


def test_an_admin_edits_every_lead(client, session, login_as, make_user, make_lead, stages):
    lead = make_lead(make_user("sales_adviser"))
    login_as("admin")
    response = client.post(
        f"/commercial/leads/{lead.id}/move", data={"stage_id": stages["Négociation"].id}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Lead, lead.id).stage_id == stages["Négociation"].id
    assert client.get(f"/commercial/leads/{lead.id}/edit").status_code == 200


def test_a_president_sees_only_the_leads_of_their_cooperative(
    client, session, login_as, make_user, make_cooperative, make_lead, stages
):
    own, other = make_cooperative(), make_cooperative()
    adviser = make_user("sales_adviser")
    mine = make_lead(adviser, cooperatives=[own, other], title="Lead partagé")
    theirs = make_lead(adviser, cooperatives=[other], title="Lead voisin")
    login_as("president", own)
    board = client.get("/commercial/pipeline").text
    assert "Lead partagé" in board and "Lead voisin" not in board
    page = client.get(f"/commercial/leads/{mine.id}")
    assert page.status_code == 200
    assert "Nouveau" in page.text
    assert other.name not in page.text  # only their own cooperative is shown
    assert 'class="move-form"' not in page.text
    assert client.get(f"/commercial/leads/{theirs.id}").status_code == 404
    response = client.post(
        f"/commercial/leads/{mine.id}/move", data={"stage_id": stages["Qualifié"].id}
    )
    assert response.status_code == 403
    assert client.get("/commercial/activities").status_code == 403
    analysis = client.get("/commercial/analysis")
    assert analysis.status_code == 200 and adviser.name not in analysis.text
    assert client.get("/commercial/analysis.csv?report=won-lost-adviser").status_code == 404


def test_lead_form_creates_a_lead_with_its_cooperatives(
    client, session, login_as, make_cooperative, stages
):
    cooperative = make_cooperative()
    buyer = Buyer(name="Riad Tanja", kind="hotel")
    session.add(buyer)
    session.commit()
    adviser = login_as("sales_adviser")
    response = client.post(
        "/commercial/leads/new",
        data={
            "title": "Fromages du riad",
            "buyer_id": buyer.id,
            "cooperative_ids": [cooperative.id],
            "amount": "12 500,50",
            "stage_id": stages["Qualifié"].id,
            "owner_id": adviser.id,
            "source": "trade_fair",
            "expected_close_on": "2030-05-31",
        },
    )
    assert response.status_code == 302, response.text
    lead = session.scalar(select(Lead).where(Lead.title == "Fromages du riad"))
    assert lead.amount == Decimal("12500.50")
    assert lead.probability == 25  # the stage's default
    assert [lc.cooperative_id for lc in lead.cooperatives] == [cooperative.id]
    assert lead.owner_id == adviser.id


def test_my_activities_put_overdue_first_and_the_timeline_merges_them(
    client, session, login_as, make_lead, stages
):
    adviser = login_as("sales_adviser")
    lead = make_lead(adviser)
    today = date.today()
    for subject, days in (("Plus tard", 5), ("En retard", -2), ("Aujourd'hui", 0)):
        services.save_activity(
            session,
            {
                "kind": "call",
                "subject": subject,
                "due_on": today.fromordinal(today.toordinal() + days),
            },
            actor=adviser,
            lead_id=lead.id,
        )
    session.commit()
    groups = services.my_activities(session, adviser, today)
    assert [[a.subject for a in groups[k]] for k in ("overdue", "today", "later")] == [
        ["En retard"],
        ["Aujourd'hui"],
        ["Plus tard"],
    ]
    page = client.get("/commercial/activities").text
    assert page.index("En retard") < page.index("Aujourd&#39;hui") < page.index("Plus tard")
    late = session.scalar(select(Activity).where(Activity.subject == "En retard"))
    client.post(f"/commercial/activities/{late.id}/done", data={"outcome": "Rappeler lundi"})
    client.post(f"/commercial/leads/{lead.id}/move", data={"stage_id": stages["Qualifié"].id})
    timeline = services.timeline(session, lead.id)
    assert {item["kind"] for item in timeline} == {"stage", "activity"}
    assert "Rappeler lundi" in client.get(f"/commercial/leads/{lead.id}").text


def test_stages_are_configured_by_the_admin(client, session, login_as, stages):
    login_as("admin")
    response = client.post(
        "/commercial/stages",
        data={
            "name": "Devis envoyé",
            "name_ar": "عرض مرسل",
            "kind": "open",
            "probability": 50,
            "active": "y",
        },
    )
    assert response.status_code == 302
    names = [s.name for s in services.list_stages(session)]
    assert names[-1] == "Devis envoyé"
    added = services.list_stages(session)[-1].id
    client.post(f"/commercial/stages/{added}/shift", data={"direction": "up"})
    session.expire_all()
    assert [s.name for s in services.list_stages(session)][-2] == "Devis envoyé"
    client.post(
        f"/commercial/stages/{added}/edit",
        data={"name": "Devis", "kind": "open", "probability": 55, "active": "y"},
    )
    session.expire_all()
    assert services.list_stages(session)[-2].id == added
    assert services.list_stages(session)[-2].name == "Devis"


def test_an_adviser_edits_their_lead_and_a_lost_stage_needs_the_reason(
    client, session, login_as, make_lead, stages
):
    adviser = login_as("sales_adviser")
    lead = make_lead(adviser)
    page = client.get(f"/commercial/leads/{lead.id}/edit")
    assert page.status_code == 200
    data = {
        "title": "Titre changé",
        "buyer_id": session.get(Lead, lead.id).buyer_id,
        "amount": "2000",
        "stage_id": stages["Perdu"].id,
        "source": "call",
    }
    refused = client.post(f"/commercial/leads/{lead.id}/edit", data=data)
    assert refused.status_code == 422
    session.expire_all()
    assert session.get(Lead, lead.id).title == "Huile pour l'hôtel"  # nothing changed
    data["lost_reason"] = "Délai trop long"
    assert client.post(f"/commercial/leads/{lead.id}/edit", data=data).status_code == 302
    session.expire_all()
    saved = session.get(Lead, lead.id)
    assert (saved.title, saved.lost_reason, saved.owner_id) == (
        "Titre changé",
        "Délai trop long",
        adviser.id,
    )
