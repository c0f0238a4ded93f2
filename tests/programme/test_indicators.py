"""The observatory feed: a year's figures per filière and province (or per filière, or per
province) match the records they come from, and a cell of fewer than 3 cooperatives publishes
nothing."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from billing.models import Invoice, Subscription
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from programme import indicators
from training.models import Attendance, Booking, Course, TrainingSession

YEAR = 2025
FIRST, LAST = date(YEAR, 1, 1), date(YEAR, 12, 31)

#: code: filière, province, status, membership start, end, women, men, youth
COOPERATIVES = {
    "OBS-A1": ("pottery", "MA-TET", "active", date(2020, 1, 1), None, 5, 3, 2),
    "OBS-A2": ("pottery", "MA-TET", "active", date(2025, 4, 1), None, 2, 2, 1),
    "OBS-A3": ("pottery", "MA-TET", "withdrawn", date(2019, 1, 1), date(2025, 6, 30), 1, 4, 0),
    # never a member, or gone before the year: not counted anywhere
    "OBS-A4": ("pottery", "MA-TET", "candidate", None, None, 9, 9, 9),
    "OBS-A5": ("pottery", "MA-TET", "withdrawn", date(2018, 1, 1), date(2024, 12, 31), 7, 7, 7),
    "OBS-B1": ("honey", "MA-HOC", "active", date(2021, 1, 1), None, 4, 4, 4),
    "OBS-B2": ("honey", "MA-HOC", "suspended", date(2022, 1, 1), None, 3, 3, 3),
    "OBS-C1": ("dairy", "MA-CHE", "active", date(2016, 1, 1), None, 6, 1, 2),
}
#: code, start, end
SUBSCRIPTIONS = [
    ("OBS-A1", date(2024, 1, 1), None),
    ("OBS-A1", date(2023, 1, 1), date(2024, 12, 31)),
    ("OBS-A1", date(2026, 1, 1), None),
    ("OBS-A2", date(2025, 5, 1), date(2025, 8, 31)),
    ("OBS-A4", date(2025, 1, 1), None),
    ("OBS-B1", date(2025, 1, 1), None),
]
#: code, kind, state, issue date, net
INVOICES = [
    ("OBS-A1", "invoice", "issued", date(2025, 3, 10), "1000.00"),
    ("OBS-A1", "credit_note", "issued", date(2025, 4, 1), "200.00"),
    ("OBS-A2", "invoice", "paid", date(2025, 12, 31), "350.50"),
    ("OBS-A1", "invoice", "draft", date(2025, 6, 1), "999.00"),
    ("OBS-A1", "invoice", "issued", date(2024, 12, 31), "500.00"),
    ("OBS-A3", "invoice", "cancelled", date(2025, 2, 1), "100.00"),
    ("OBS-A3", "credit_note", "issued", date(2025, 2, 2), "100.00"),
    ("OBS-B1", "invoice", "issued", date(2025, 5, 5), "4321.00"),
]
#: course hours, session start, session state, [(code, sex, age band, booking state, present)]
TRAININGS = [
    (
        7,
        date(2025, 5, 5),
        "done",
        [
            ("OBS-A1", "female", "under_25", "confirmed", True),
            ("OBS-A2", "male", "35_49", "confirmed", True),
            ("OBS-A3", "female", "25_34", "confirmed", False),
            ("OBS-A1", "female", "50_plus", "cancelled", True),
            ("OBS-B1", "female", "25_34", "confirmed", True),
        ],
    ),
    (14, date(2025, 9, 8), "done", [("OBS-A2", "female", "25_34", "confirmed", True)]),
    (14, date(2025, 11, 3), "open", [("OBS-A1", "male", "25_34", "confirmed", True)]),
    (7, date(2024, 10, 6), "done", [("OBS-A1", "male", "25_34", "confirmed", True)]),
]


@pytest.fixture
def year_of_records(session, make_cooperative):
    cooperatives = {}
    for code, (filiere, province, status, start, end, women, men, youth) in COOPERATIVES.items():
        cooperatives[code] = make_cooperative(
            code=code,
            filiere=filiere,
            province=province,
            status=status,
            membership_start_on=start,
            membership_end_on=end,
            members_women=women,
            members_men=men,
            members_youth=youth,
        )
    service = billing_catalogue.create_service(
        session,
        code="OBS-COMPTA",
        name="Tenue de comptabilité",
        category="bookkeeping",
        unit="month",
        public_price=Decimal("2000"),
        member_price=Decimal("1500"),
        valid_from=date(2020, 1, 1),
    )
    customers = {
        code: billing_customers.member_customer(session, cooperative.id)
        for code, cooperative in cooperatives.items()
    }
    for code, start, end in SUBSCRIPTIONS:
        session.add(
            Subscription(
                customer_id=customers[code].id,
                cooperative_id=cooperatives[code].id,
                service_id=service.id,
                start_on=start,
                end_on=end,
            )
        )
    for code, kind, state, issued_on, net in INVOICES:
        session.add(
            Invoice(
                kind=kind,
                customer_id=customers[code].id,
                cooperative_id=cooperatives[code].id,
                state=state,
                issue_date=issued_on,
                total_net=Decimal(net),
            )
        )
    for number, (hours, start, state, seats) in enumerate(TRAININGS):
        course = Course(code=f"OBS-{number}", title="Formation", hours=hours)
        session.add(course)
        session.flush()
        training = TrainingSession(
            course_id=course.id, start_on=start, end_on=start, town="Tétouan", capacity=20
        )
        training.state = state
        session.add(training)
        session.flush()
        for code, sex, band, booking_state, present in seats:
            booking = Booking(
                session_id=training.id,
                cooperative_id=cooperatives[code].id,
                participant_name=f"Participant {code}",
                sex=sex,
                age_band=band,
                state=booking_state,
            )
            session.add(booking)
            session.flush()
            session.add(Attendance(booking_id=booking.id, day=start, half="am", present=present))
    session.commit()
    return cooperatives


def _counted(code) -> bool:
    """The module's rule, restated: a member at some time in the year."""
    _f, _p, status, start, end, *_ = COOPERATIVES[code]
    if status == "candidate" or (status == "withdrawn" and end is None):
        return False
    return (start is None or start <= LAST) and (end is None or end >= FIRST)


def _expected(filiere, province) -> dict:
    """The cell's figures counted from the test's own records, one by one."""
    codes = [
        code
        for code, row in COOPERATIVES.items()
        if row[:2] == (filiere, province) and _counted(code)
    ]
    rows = [COOPERATIVES[code] for code in codes]
    expected = {
        "cooperatives_active": sum(1 for r in rows if r[4] is None or r[4] > LAST),
        "cooperatives_new": sum(1 for r in rows if r[3] and FIRST <= r[3] <= LAST),
        "cooperatives_withdrawn": sum(1 for r in rows if r[4] and FIRST <= r[4] <= LAST),
        "members_women": sum(r[5] for r in rows),
        "members_men": sum(r[6] for r in rows),
        "members_youth": sum(r[7] for r in rows),
        "subscriptions": sum(
            1
            for code, start, end in SUBSCRIPTIONS
            if code in codes and start <= LAST and (end is None or end >= FIRST)
        ),
        "invoiced_net": sum(
            (
                Decimal(net) * (-1 if kind == "credit_note" else 1)
                for code, kind, state, issued_on, net in INVOICES
                if code in codes and state != "draft" and FIRST <= issued_on <= LAST
            ),
            Decimal("0.00"),
        ),
    }
    seats = [
        (hours, sex, band)
        for hours, start, state, people in TRAININGS
        if state == "done" and FIRST <= start <= LAST
        for code, sex, band, booking_state, present in people
        if code in codes and booking_state == "confirmed" and present
    ]
    expected.update(
        training_hours=sum(hours for hours, _sex, _band in seats),
        participants=len(seats),
        participants_women=sum(1 for _h, sex, _b in seats if sex == "female"),
        participants_men=sum(1 for _h, sex, _b in seats if sex == "male"),
        participants_youth=sum(1 for _h, _s, band in seats if band in ("under_25", "25_34")),
        participants_under_25=sum(1 for _h, _s, band in seats if band == "under_25"),
        participants_25_34=sum(1 for _h, _s, band in seats if band == "25_34"),
        participants_35_49=sum(1 for _h, _s, band in seats if band == "35_49"),
        participants_50_plus=sum(1 for _h, _s, band in seats if band == "50_plus"),
    )
    return expected


def _cells(feed) -> dict:
    return {(cell.filiere, cell.province): cell for cell in feed.cells}


def test_a_cell_of_three_cooperatives_matches_its_records(session, year_of_records):
    cell = _cells(indicators.observatory_indicators(session, YEAR))[("pottery", "MA-TET")]
    assert cell.cooperatives == 3 and not cell.suppressed
    expected = _expected("pottery", "MA-TET")
    assert cell.values == expected
    # and by hand, so that the restated rule cannot drift with the module's
    assert (expected["cooperatives_active"], expected["cooperatives_new"]) == (2, 1)
    assert expected["cooperatives_withdrawn"] == 1
    assert (expected["members_women"], expected["members_men"], expected["members_youth"]) == (
        8,
        9,
        3,
    )
    assert (expected["subscriptions"], expected["invoiced_net"]) == (2, Decimal("1150.50"))
    assert (expected["training_hours"], expected["participants"]) == (28, 3)
    assert (expected["participants_women"], expected["participants_youth"]) == (2, 2)


def test_cells_of_one_or_two_cooperatives_are_suppressed_and_marked(session, year_of_records):
    feed = indicators.observatory_indicators(session, YEAR)
    cells = _cells(feed)
    assert set(cells) == {("pottery", "MA-TET"), ("honey", "MA-HOC"), ("dairy", "MA-CHE")}
    for key, size in ((("honey", "MA-HOC"), 2), (("dairy", "MA-CHE"), 1)):
        assert cells[key].cooperatives == size
        assert cells[key].suppressed
        assert set(cells[key].values.values()) == {None}
    assert (feed.published, feed.suppressed) == (1, 2)


def test_the_total_adds_only_the_published_cells(session, year_of_records):
    feed = indicators.observatory_indicators(session, YEAR)
    assert feed.total == _expected("pottery", "MA-TET")
    assert feed.total["invoiced_net"] == Decimal("1150.50")  # not the honey cell's 4321.00


def test_csv_marks_suppressed_cells_and_leaves_their_values_empty(session, year_of_records):
    rows = list(
        csv.DictReader(
            io.StringIO(indicators.to_csv(indicators.observatory_indicators(session, YEAR)))
        )
    )
    by_cell = {(row["filiere"], row["province"]): row for row in rows if row["row"] == "cell"}
    honey = by_cell[("honey", "MA-HOC")]
    assert honey["suppressed"] == "true"
    assert all(honey[column] == "" for column in indicators.COLUMNS)
    pottery = by_cell[("pottery", "MA-TET")]
    assert pottery["suppressed"] == "false"
    assert (pottery["invoiced_net"], pottery["participants"]) == ("1150.50", "3")
    assert rows[-1]["row"] == "total_of_published_cells"
    assert rows[-1]["invoiced_net"] == "1150.50"


def test_json_carries_the_notes_and_exact_amounts(session, year_of_records):
    data = indicators.as_dict(indicators.observatory_indicators(session, YEAR))
    json.dumps(data)
    assert data["threshold"] == 3 and data["year"] == YEAR
    assert any("published cells only" in note for note in data["notes"])
    cells = {(c["filiere"], c["province"]): c for c in data["cells"]}
    assert cells[("dairy", "MA-CHE")]["suppressed"] is True
    assert cells[("dairy", "MA-CHE")]["members_women"] is None
    assert cells[("pottery", "MA-TET")]["invoiced_net"] == "1150.50"
    assert data["total_of_published_cells"]["cells"] == 1


def test_cli_writes_the_feed_as_csv_or_json(runner, year_of_records, tmp_path):
    result = runner.invoke(args=["programme", "indicators", "--year", str(YEAR), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("row,year,filiere,province,suppressed,")
    assert "cell,2025,honey,MA-HOC,true,,," in result.output
    path = tmp_path / "feed.json"
    result = runner.invoke(
        args=[
            "programme",
            "indicators",
            "--year",
            str(YEAR),
            "--format",
            "json",
            "--output",
            str(path),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "3 cells (2 suppressed)" in result.output
    assert json.loads(path.read_text(encoding="utf-8"))["year"] == YEAR


def test_observatory_page_shows_the_table_and_downloads(client, login_as, year_of_records):
    login_as("accountant")
    page = client.get(f"/programme/observatory?year={YEAR}")
    assert page.status_code == 200
    assert page.text.count("data-suppressed") == 2
    assert (
        f'href="/programme/observatory.csv?year={YEAR}&amp;by=filiere_province&amp;dialect=fr"'
        in page.text
    )
    assert f'href="/programme/observatory.json?year={YEAR}&amp;by=filiere_province"' in page.text
    download = client.get(f"/programme/observatory.csv?year={YEAR}")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "total_of_published_cells" in download.text
    feed = client.get(f"/programme/observatory.json?year={YEAR}")
    assert feed.status_code == 200 and feed.get_json()["year"] == YEAR
    assert client.get("/programme/observatory?year=1990").status_code == 404


#: one filière over three provinces: code, province, women, men, youth, invoiced net
WEAVERS = [
    ("OBS-W1", "MA-TNG", 4, 1, 2, "600.00"),
    ("OBS-W2", "MA-LAR", 3, 2, 0, "250.25"),
    ("OBS-W3", "MA-CHE", 6, 0, 3, "1000.00"),
]


@pytest.fixture
def weavers(session, make_cooperative):
    """Three weaving cooperatives, each alone in its province, one invoice of the year each."""
    for code, province, women, men, youth, net in WEAVERS:
        cooperative = make_cooperative(
            code=code,
            filiere="weaving",
            province=province,
            membership_start_on=date(2021, 1, 1),
            members_women=women,
            members_men=men,
            members_youth=youth,
        )
        session.add(
            Invoice(
                kind="invoice",
                customer_id=billing_customers.member_customer(session, cooperative.id).id,
                cooperative_id=cooperative.id,
                state="issued",
                issue_date=date(YEAR, 6, 1),
                total_net=Decimal(net),
            )
        )
    session.commit()


def test_by_filiere_publishes_a_filiere_spread_over_provinces(session, weavers):
    by_province = indicators.observatory_indicators(session, YEAR, "filiere_province")
    assert len(by_province.cells) == 3
    assert all(cell.suppressed and cell.cooperatives == 1 for cell in by_province.cells)
    assert by_province.published == 0
    assert set(by_province.total.values()) == {0}

    feed = indicators.observatory_indicators(session, YEAR, "filiere")
    [cell] = feed.cells
    assert cell.group == {"filiere": "weaving"} and cell.province is None
    assert cell.cooperatives == 3 and not cell.suppressed
    values = cell.values
    assert (values["cooperatives_active"], values["cooperatives_new"]) == (3, 0)
    assert values["members_women"] == sum(row[2] for row in WEAVERS) == 13
    assert values["members_men"] == sum(row[3] for row in WEAVERS) == 3
    assert values["members_youth"] == sum(row[4] for row in WEAVERS) == 5
    assert values["invoiced_net"] == sum(Decimal(row[5]) for row in WEAVERS) == Decimal("1850.25")
    assert values["participants"] == 0
    assert feed.total == values and feed.published == 1


def test_every_grouping_suppresses_small_cells_and_totals_the_published(
    session, year_of_records, weavers
):
    by_filiere = indicators.observatory_indicators(session, YEAR, "filiere")
    cells = {cell.filiere: cell for cell in by_filiere.cells}
    assert set(cells) == {"dairy", "honey", "pottery", "weaving"}
    # every counted pottery cooperative is in MA-TET: the same cell as filière x province
    assert cells["pottery"].values == _expected("pottery", "MA-TET")
    assert cells["honey"].suppressed and cells["dairy"].suppressed
    assert set(cells["honey"].values.values()) == {None}
    assert by_filiere.total["invoiced_net"] == Decimal("1150.50") + Decimal("1850.25")
    assert by_filiere.total["members_women"] == 8 + 13
    assert (by_filiere.published, by_filiere.suppressed) == (2, 2)

    by_province = indicators.observatory_indicators(session, YEAR, "province")
    cells = {cell.province: cell for cell in by_province.cells}
    assert set(cells) == {"MA-TET", "MA-HOC", "MA-CHE", "MA-TNG", "MA-LAR"}
    assert cells["MA-CHE"].cooperatives == 2 and cells["MA-CHE"].suppressed  # dairy + weaving
    assert cells["MA-TET"].group == {"province": "MA-TET"}
    assert by_province.total == _expected("pottery", "MA-TET")
    assert by_province.published == 1


def test_csv_and_json_state_the_grouping(session, weavers):
    feed = indicators.observatory_indicators(session, YEAR, "filiere")
    lines = indicators.to_csv(feed).splitlines()
    assert lines[0].startswith("row,year,filiere,suppressed,cooperatives_active,")
    assert lines[1].startswith("cell,2025,weaving,false,3,")
    assert lines[-1].startswith("total_of_published_cells,2025,,false,3,")
    data = indicators.as_dict(indicators.observatory_indicators(session, YEAR, "province"))
    assert (data["grouping"], data["grouped_by"]) == ("province", ["province"])
    assert "One cell per prefecture or province, all filières together." in data["notes"]
    assert [(cell["province"], cell["suppressed"]) for cell in data["cells"]] == [
        ("MA-CHE", True),
        ("MA-LAR", True),
        ("MA-TNG", True),
    ]
    assert all("filiere" not in cell for cell in data["cells"])


def test_cli_groups_by_the_option(runner, weavers, tmp_path):
    result = runner.invoke(args=["programme", "indicators", "--year", str(YEAR), "--by", "filiere"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("row,year,filiere,suppressed,")
    assert "cell,2025,weaving,false,3,0,0,13,3,5,0,1850.25," in result.output
    path = tmp_path / "feed.json"
    result = runner.invoke(
        args=[
            *("programme", "indicators", "--year", str(YEAR), "--format", "json"),
            *("--by", "province", "--output", str(path)),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "3 cells (3 suppressed)" in result.output
    assert json.loads(path.read_text(encoding="utf-8"))["grouping"] == "province"
    result = runner.invoke(args=["programme", "indicators", "--by", "town"])
    assert result.exit_code == 2 and "town" in result.output


def test_observatory_page_groups_by_filiere(client, login_as, weavers):
    login_as("accountant")
    page = client.get(f"/programme/observatory?year={YEAR}&by=filiere")
    assert page.status_code == 200
    assert '<option value="filiere" selected>' in page.text
    assert 'data-cell="weaving"' in page.text and "data-suppressed" not in page.text
    assert "Prefecture or province</th>" not in page.text
    assert "1 850,25" in page.text.replace("\u202f", " ").replace("\xa0", " ")
    assert (
        f'href="/programme/observatory.csv?year={YEAR}&amp;by=filiere&amp;dialect=fr"' in page.text
    )
    assert f'href="/programme/observatory.json?year={YEAR}&amp;by=filiere"' in page.text
    download = client.get(f"/programme/observatory.csv?year={YEAR}&by=filiere")
    assert download.text.lstrip("\ufeff").startswith("row;year;filiere;suppressed;")
    assert f"observatory-{YEAR}-filiere.csv" in download.headers["Content-Disposition"]
    split = client.get(f"/programme/observatory?year={YEAR}")
    assert split.text.count("data-suppressed") == 3
    assert client.get(f"/programme/observatory.json?year={YEAR}&by=town").status_code == 404


def test_observatory_page_in_arabic(client, login_as, year_of_records):
    login_as("training_coordinator", locale="ar")
    page = client.get(f"/programme/observatory?year={YEAR}")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text


@pytest.mark.parametrize("role", ["president", "sales_adviser"])
def test_observatory_is_refused_to_presidents_and_advisers(client, login_as, role):
    login_as(role)
    assert client.get("/programme/observatory").status_code == 403
    assert client.get("/programme/observatory.json").status_code == 403
