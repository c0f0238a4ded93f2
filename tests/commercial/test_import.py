"""CSV import of leads and buyers: all rows or none, errors by line, duplicates flagged."""

import io

from sqlalchemy import func, select

from commercial import services
from commercial.models import Buyer, Contact, Lead
from gie.audit.models import AuditEntry
from tests.snapshot import assert_unchanged, snapshot


def _upload(client, text: str):
    return client.post(
        "/commercial/leads/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), "salon.csv")},
        content_type="multipart/form-data",
    )


def _count(session, model):
    return session.scalar(select(func.count(model.id)))


def test_one_bad_row_imports_nothing_and_names_its_line(
    client, session, login_as, make_cooperative
):
    cooperative = make_cooperative()
    login_as("sales_adviser")
    buyers, leads = _count(session, Buyer), _count(session, Lead)
    csv = (
        "buyer,kind,city,phone,email,title,amount,cooperatives\n"
        f"Hôtel Nord,hotel,Tanger,0661000001,nord@example.ma,Jben,1000,{cooperative.code}\n"
        "Boutique Sud,shop,Tétouan,0661000002,sud@example.ma,Poterie,beaucoup,\n"
    )
    response = _upload(client, csv)
    assert response.status_code == 422
    assert "beaucoup" in response.text
    assert '<td class="num">3</td>' in response.text
    assert _count(session, Buyer) == buyers
    assert _count(session, Lead) == leads


def test_import_creates_buyers_contacts_and_leads(client, session, login_as, make_cooperative):
    cooperative = make_cooperative()
    adviser = login_as("sales_adviser")
    csv = (
        "buyer;kind;city;phone;email;contact;title;amount;stage;expected_close;cooperatives\n"
        f"Hôtel Nord;hotel;Tanger;0661000011;nord@example.ma;Amina;Jben;1 500,50;Qualifié;31/05/2031;{cooperative.code}\n"
        "Visiteur du salon;fair_visitor;;0661000012;;;;;;;\n"
    )
    response = _upload(client, csv)
    assert response.status_code == 200, response.text
    lead = session.scalar(select(Lead).where(Lead.title == "Jben"))
    assert str(lead.amount) == "1500.50"
    assert lead.owner_id == adviser.id
    assert lead.stage.name == "Qualifié"
    assert [lc.cooperative_id for lc in lead.cooperatives] == [cooperative.id]
    assert lead.contact.name == "Amina"
    assert session.scalar(select(Buyer).where(Buyer.name == "Visiteur du salon")) is not None


def test_a_duplicate_buyer_is_flagged_instead_of_created(client, session, login_as):
    existing = services.create_buyer(
        session,
        {"name": "Riad Tanja", "kind": "hotel", "phone": "+212 539 33 35 38", "email": ""},
        actor=None,
    )
    session.commit()
    existing_id = existing.id
    login_as("sales_adviser")
    buyers = _count(session, Buyer)
    csv = (
        "buyer,phone,email,title,amount\n"
        "Riad Tanja (salon),0539 33 35 38,,Fromages,2000\n"
        "Nouveau client,0600000099,Nouveau@Example.ma,,\n"
        "Nouveau client bis,,nouveau@example.ma,Huile,300\n"
    )
    response = _upload(client, csv)
    assert response.status_code == 200, response.text
    assert "Duplicates" in response.text or "Doublons" in response.text
    assert "Riad Tanja (salon)" in response.text
    assert _count(session, Buyer) == buyers + 1  # only "Nouveau client"
    lead = session.scalar(select(Lead).where(Lead.title == "Fromages"))
    assert lead.buyer_id == existing_id
    second = session.scalar(select(Lead).where(Lead.title == "Huile"))
    assert second.buyer.name == "Nouveau client"
    assert session.scalar(select(func.count(Contact.id))) is not None


def test_unknown_columns_are_refused(client, session, login_as):
    login_as("admin")
    response = _upload(client, "buyer,colour\nX,bleu\n")
    assert response.status_code == 422
    assert "colour" in response.text


LEADS_1252 = "\r\n".join(
    [
        "buyer;kind;city;phone;title;amount;expected_close",
        "Hôtel Façade;hotel;Tétouan;0661009901;Miel à la cire, crème;2 500,50;30/06/2031",
        "",
    ]
).encode("cp1252")


def _upload_bytes(client, data: bytes, **fields):
    return client.post(
        "/commercial/leads/import",
        data={"file": (io.BytesIO(data), "salon.csv"), **fields},
        content_type="multipart/form-data",
    )


def test_a_windows_1252_file_with_crlf_imports_with_its_accents(client, session, login_as):
    login_as("sales_adviser")
    page = client.get("/commercial/leads/import").text
    assert 'name="encoding"' in page and "Windows-1252" in page
    response = _upload_bytes(client, LEADS_1252)
    assert response.status_code == 200, response.text
    lead = session.scalar(select(Lead).where(Lead.title == "Miel à la cire, crème"))
    assert lead.buyer.name == "Hôtel Façade"
    assert str(lead.amount) == "2500.50"
    assert lead.expected_close_on.isoformat() == "2031-06-30"


def test_the_same_leads_file_again_is_refused_then_forced_with_the_box(client, session, login_as):
    login_as("sales_adviser", name="Nadia Amrani")
    assert _upload_bytes(client, LEADS_1252).status_code == 200
    leads = _count(session, Lead)
    before = snapshot(session)

    refused = _upload_bytes(client, LEADS_1252)
    assert refused.status_code == 422
    assert "(salon.csv) a déjà été importé le" in refused.text
    assert "par Nadia Amrani" in refused.text
    assert 'name="allow_duplicate"' in refused.text
    assert_unchanged(session, before)
    assert _count(session, Lead) == leads

    forced = _upload_bytes(client, LEADS_1252, allow_duplicate="y")
    assert forced.status_code == 200
    assert _count(session, Lead) == leads + 1
    audited = session.scalars(
        select(AuditEntry).where(AuditEntry.record_type == "ImportedLeadsFile")
    ).all()
    assert [entry.after["forced"] for entry in audited] == [False, True]
