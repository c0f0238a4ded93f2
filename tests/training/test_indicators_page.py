import csv
import io
from datetime import date

from tests.training.page_data import make_booking, make_course, make_session


def test_indicators_page_and_csv_count_attended_participants(
    session, client, login_as, make_cooperative
):
    honey = make_cooperative(filiere="honey", province="MA-HOC")
    course = make_course(session, hours=14)
    done = make_session(
        session, course, start_on=date(2025, 5, 5), end_on=date(2025, 5, 6), state="done"
    )
    make_booking(session, done, honey, attended=True, sex="female", age_band="under_25")
    make_booking(
        session,
        done,
        honey,
        attended=True,
        sex="male",
        age_band="50_plus",
        participant_name="Ahmed",
    )
    make_booking(
        session,
        done,
        honey,
        attended=False,
        sex="female",
        age_band="35_49",
        participant_name="Absente",
    )
    session.commit()
    login_as("training_coordinator", locale="en")

    page = client.get("/training/indicators?year=2025").text
    assert "data-hours>14<" in page
    assert "data-participants>2<" in page
    assert "data-women>1<" in page and "data-youth>1<" in page

    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/training/indicators?year=2025&format=csv").data.decode("utf-8-sig")
            )
        )
    )
    by_province = [row for row in rows if row[0] == "Province"]
    assert by_province == [["Province", "Al Hoceima", "2"]]


def test_indicators_are_for_the_training_staff_only(client, login_as):
    login_as("president")
    assert client.get("/training/indicators").status_code == 403
