"""An entries file is imported once; Windows-1252 files read as written; entries of a file
numbered in date order; exports in the French or the international dialect."""

import csv
import io
import re
from datetime import date

from sqlalchemy import select

from accounting import importers
from accounting.models import Entry, ImportedEntriesFile
from gie.audit.models import AuditEntry
from gie.audit.services import acting_as
from gie.imported_files import AlreadyImported
from tests.snapshot import assert_unchanged, snapshot

# A French Excel's "CSV (separator: semicolon)": Windows-1252, CRLF, decimal commas.
WINDOWS_1252 = "\r\n".join(
    [
        "entry;date;journal;account;label;debit;credit",
        "A1;15/03/2026;VT;3421;Façade réparée à Tétouan;1 200,50;",
        "A1;15/03/2026;VT;7124;Façade réparée à Tétouan;;1 200,50",
        "A2;16/03/2026;BQ;5141;Règlement reçu, très bien;1 200,50;",
        "A2;16/03/2026;BQ;3421;Règlement reçu, très bien;;1 200,50",
        "",
    ]
).encode("cp1252")

SALES = """\
entry,date,journal,account,label,debit,credit
S1,2026-03-02,VT,3421,Vente Tanger,100.00,
S1,2026-03-02,VT,7124,Vente Tanger,,100.00
S2,2026-03-03,VT,3421,Vente Tétouan,250.00,
S2,2026-03-03,VT,7124,Vente Tétouan,,250.00
""".encode()

#: "on 2026-05-03 14:05 UTC by ..." as the refusal writes it, in English
WHEN_BY = r"on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by "


def _numbers(session, ledger) -> list[tuple[str, str, str]]:
    session.expire_all()
    return [
        (entry.source_ref, entry.number, entry.label)
        for entry in session.scalars(
            select(Entry).where(Entry.ledger_id == ledger.id).order_by(Entry.chain_index)
        )
    ]


def _forced_imports(session) -> list[dict]:
    return [
        entry.after
        for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.record_type == "ImportedEntriesFile")
        )
        if entry.after["forced"]
    ]


def _upload(client, ledger, data: bytes, name="ventes.csv", **fields):
    return client.post(
        f"/accounting/ledgers/{ledger.id}/import",
        data={"file": (io.BytesIO(data), name), **fields},
    )


# --- the same file twice -------------------------------------------------------------------


def test_the_same_file_again_is_refused_naming_when_and_by_whom(session, ledger, make_user):
    user = make_user("accountant", name="Samira Benali")
    with acting_as(user.id):
        importers.import_entries(session, ledger.id, SALES, actor=user, filename="ventes.csv")
    session.commit()
    before = snapshot(session)

    try:
        importers.import_entries(session, ledger.id, SALES, actor=user, filename="copie.csv")
    except AlreadyImported as refusal:
        message = str(refusal.message)
    else:
        raise AssertionError("the same file was imported twice")
    session.rollback()

    assert re.search(r"\(ventes\.csv\) was already imported " + WHEN_BY + "Samira Benali", message)
    assert_unchanged(session, before)
    record = session.scalars(select(ImportedEntriesFile)).one()
    assert (record.filename, record.entries, record.lines, record.forced) == (
        "ventes.csv",
        2,
        4,
        False,
    )
    assert len(record.sha256) == 64


def test_allow_duplicate_posts_it_again_and_the_audit_log_keeps_the_forcing(
    session, ledger, make_user
):
    user = make_user("accountant")
    importers.import_entries(session, ledger.id, SALES, actor=user)
    session.commit()

    with acting_as(user.id):
        importers.import_entries(session, ledger.id, SALES, actor=user, allow_duplicate=True)
    session.commit()

    assert [number for _ref, number, _label in _numbers(session, ledger)] == [
        "VT-2026-00001",
        "VT-2026-00002",
        "VT-2026-00003",
        "VT-2026-00004",
    ]
    [forced] = _forced_imports(session)
    assert forced["entries"] == 2
    assert forced["forced_over"].startswith("same file as import ")
    assert "S1, S2" in forced["forced_over"]


def test_a_file_overlapping_posted_entries_is_refused_listing_them(session, ledger):
    importers.import_entries(session, ledger.id, SALES)
    session.commit()
    before = snapshot(session)
    overlapping = SALES.replace(b"S1,", b"S9,") + b"S3,2026-03-04,VT,3421,Vente,10.00,\n"
    overlapping += b"S3,2026-03-04,VT,7124,Vente,,10.00\n"

    try:
        importers.import_entries(session, ledger.id, overlapping)
    except AlreadyImported as refusal:
        errors = [(line, str(message)) for line, message in refusal.line_errors]
    else:
        raise AssertionError("an overlapping file was imported")
    session.rollback()

    assert errors == [(4, "Entry S2 is already posted as VT-2026-00002.")]
    assert_unchanged(session, before)


def test_the_command_refuses_the_same_file_and_forces_it_with_allow_duplicate(
    session, runner, ledger, tmp_path
):
    path = tmp_path / "ventes.csv"
    path.write_bytes(SALES)
    assert runner.invoke(args=["accounting", "import", ledger.code, str(path)]).exit_code == 0
    before = snapshot(session)

    again = runner.invoke(args=["accounting", "import", ledger.code, str(path)])
    assert again.exit_code == 1
    # the commands speak the default language, French
    assert re.search(
        r"\(ventes\.csv\) a déjà été importé le \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC "
        r"par une commande",
        again.output,
    )
    assert "--allow-duplicate" in again.output
    assert_unchanged(session, before)

    forced = runner.invoke(
        args=["accounting", "import", ledger.code, str(path), "--allow-duplicate"]
    )
    assert forced.exit_code == 0, forced.output
    assert len(_numbers(session, ledger)) == 4
    assert len(_forced_imports(session)) == 1


def test_the_page_refuses_the_same_file_then_imports_it_with_the_box_ticked(
    client, session, login_as, ledger
):
    login_as("accountant", name="Karim Alaoui")
    assert _upload(client, ledger, SALES).status_code == 302
    before = snapshot(session)

    refused = _upload(client, ledger, SALES)
    assert refused.status_code == 422
    assert "a déjà été importé le" in refused.text and "par Karim Alaoui" in refused.text
    assert 'name="allow_duplicate"' in refused.text
    assert_unchanged(session, before)

    forced = _upload(client, ledger, SALES, allow_duplicate="y")
    assert forced.status_code == 302
    assert len(_numbers(session, ledger)) == 4
    [audited] = _forced_imports(session)
    assert audited["imported_by_id"] is not None


def test_the_page_lists_the_entries_already_posted(client, session, login_as, ledger):
    login_as("accountant")
    assert _upload(client, ledger, SALES).status_code == 302
    refused = _upload(client, ledger, SALES.replace(b"S1,", b"S7,"))
    assert refused.status_code == 422
    assert "L’écriture S2 est déjà passée sous le numéro VT-2026-00002." in refused.text


# --- the file's entry value on each entry ------------------------------------------------


def test_entries_keep_the_file_s_entry_value_shown_and_searchable(
    client, session, login_as, ledger
):
    login_as("accountant")
    _upload(client, ledger, SALES.replace(b"S2,", b"IMP-2026-77,"))
    entries = client.get(f"/accounting/ledgers/{ledger.id}/entries?q=IMP-2026-77").text
    assert "IMP-2026-77" in entries
    assert "Vente Tétouan" in entries and "Vente Tanger" not in entries
    entry = session.scalar(select(Entry).where(Entry.source_ref == "IMP-2026-77"))
    page = client.get(f"/accounting/entries/{entry.id}").text
    assert "Référence dans le fichier importé" in page and "IMP-2026-77" in page


# --- encodings ---------------------------------------------------------------------------


def test_a_windows_1252_file_with_crlf_imports_through_the_page(client, session, login_as, ledger):
    login_as("accountant")
    page = client.get(f"/accounting/ledgers/{ledger.id}/import").text
    assert "Windows-1252" in page and 'name="encoding"' in page

    assert _upload(client, ledger, WINDOWS_1252).status_code == 302
    assert [label for _ref, _number, label in _numbers(session, ledger)] == [
        "Façade réparée à Tétouan",
        "Règlement reçu, très bien",
    ]
    bank = session.scalar(select(Entry).where(Entry.source_ref == "A2"))
    assert [str(line.debit) for line in bank.lines] == ["1200.50", "0.00"]


def test_a_windows_1252_file_imports_through_the_command_chosen_or_not(
    session, runner, ledger, make_ledger, tmp_path
):
    path = tmp_path / "export-excel.csv"
    path.write_bytes(WINDOWS_1252)
    result = runner.invoke(args=["accounting", "import", ledger.code, str(path)])
    assert result.exit_code == 0, result.output
    assert _numbers(session, ledger)[0][2] == "Façade réparée à Tétouan"

    other = make_ledger()
    result = runner.invoke(
        args=["accounting", "import", other.code, str(path), "--encoding", "cp1252"]
    )
    assert result.exit_code == 0, result.output
    assert _numbers(session, other)[1][2] == "Règlement reçu, très bien"


def test_a_windows_1252_file_said_to_be_utf8_is_refused_with_a_way_out(
    client, session, login_as, ledger
):
    login_as("accountant")
    before = snapshot(session)
    refused = _upload(client, ledger, WINDOWS_1252, encoding="utf-8")
    assert refused.status_code == 422
    assert "Choisissez Windows-1252, ou enregistrez le fichier en CSV UTF-8." in refused.text
    assert_unchanged(session, before)


def test_utf8_with_a_bom_and_crlf_imports(session, ledger):
    text = "\ufeff" + SALES.decode().replace("\n", "\r\n")
    importers.import_entries(session, ledger.id, text.encode())
    assert [label for _ref, _number, label in _numbers(session, ledger)] == [
        "Vente Tanger",
        "Vente Tétouan",
    ]


# --- numbering in date order -------------------------------------------------------------


def test_entries_of_one_file_are_numbered_by_date_within_each_journal(session, ledger):
    text = """\
entry;date;journal;account;label;debit;credit
late;15/01/2026;VT;3421;Vente du 15;10;
late;15/01/2026;VT;7124;Vente du 15;;10
bank;20/01/2026;BQ;5141;Encaissement;10;
bank;20/01/2026;BQ;3421;Encaissement;;10
first;01/01/2026;VT;3421;Vente du 1er (a);10;
first;01/01/2026;VT;7124;Vente du 1er (a);;10
second;01/01/2026;VT;3421;Vente du 1er (b);10;
second;01/01/2026;VT;7124;Vente du 1er (b);;10
early_bank;02/01/2026;BQ;5141;Encaissement du 2;10;
early_bank;02/01/2026;BQ;3421;Encaissement du 2;;10
"""
    importers.import_entries(session, ledger.id, text.encode())
    numbers = {ref: number for ref, number, _label in _numbers(session, ledger)}
    assert numbers == {
        "first": "VT-2026-00001",
        "second": "VT-2026-00002",
        "late": "VT-2026-00003",
        "early_bank": "BQ-2026-00001",
        "bank": "BQ-2026-00002",
    }
    dates = [
        entry.date
        for entry in session.scalars(
            select(Entry).where(Entry.ledger_id == ledger.id).order_by(Entry.chain_index)
        )
    ]
    assert dates == sorted(dates) and dates[0] == date(2026, 1, 1)


# --- exports in a dialect ----------------------------------------------------------------


def test_the_entries_export_is_french_by_default_in_french_and_reads_back(
    client, session, login_as, ledger, make_ledger
):
    login_as("accountant")
    _upload(client, ledger, WINDOWS_1252)

    french = client.get(f"/accounting/ledgers/{ledger.id}/export.csv")
    assert french.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(french.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:7] == ["entry", "date", "journal", "account", "label", "debit", "credit"]
    assert rows[1][:7] == [
        *("VT-2026-00001", "2026-03-15", "VT", "3421", "Façade réparée à Tétouan"),
        *("1200,50", ""),
    ]

    international = client.get(f"/accounting/ledgers/{ledger.id}/export.csv?dialect=intl")
    rows = list(csv.reader(io.StringIO(international.data.decode("utf-8-sig"))))
    assert rows[1][4:7] == ["Façade réparée à Tétouan", "1200.50", ""]

    # the French export is read back by our own import
    copy = make_ledger()
    assert _upload(client, copy, french.data).status_code == 302
    assert [label for _ref, _n, label in _numbers(session, copy)] == [
        "Façade réparée à Tétouan",
        "Règlement reçu, très bien",
    ]


def test_the_trial_balance_downloads_in_the_dialect_asked(client, session, login_as, ledger):
    login_as("accountant", locale="ar")
    _upload(client, ledger, SALES)
    url = f"/accounting/ledgers/{ledger.id}/reports/trial-balance?format=csv"

    page = client.get(url.replace("?format=csv", ""))
    assert "dialect=fr" in page.text and "dialect=intl" in page.text

    # Arabic interface: international by default
    rows = list(csv.reader(io.StringIO(client.get(url).data.decode("utf-8-sig"))))
    bank = next(row for row in rows if row[0] == "3421")
    assert "350.00" in bank

    rows = list(
        csv.reader(
            io.StringIO(client.get(url + "&dialect=fr").data.decode("utf-8-sig")), delimiter=";"
        )
    )
    bank = next(row for row in rows if row[0] == "3421")
    assert "350,00" in bank


def test_the_commands_write_csv_in_the_dialect_asked(session, runner, ledger, tmp_path):
    importers.import_entries(session, ledger.id, SALES)
    session.commit()

    result = runner.invoke(args=["accounting", "trial-balance", ledger.code, "--dialect", "fr"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["code", "label", "debit", "credit", "balance"]
    assert next(row for row in rows if row[0] == "7124")[2:] == ["0,00", "350,00", "-350,00"]

    path = tmp_path / "export.csv"
    result = runner.invoke(
        args=["accounting", "export", ledger.code, "--dialect", "fr", "--output", str(path)]
    )
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:7] == [
        "VT-2026-00001",
        "2026-03-02",
        "VT",
        "3421",
        "Vente Tanger",
        "100,00",
        "",
    ]

    result = runner.invoke(args=["accounting", "trial-balance", ledger.code])
    rows = list(csv.reader(io.StringIO(result.output)))
    assert next(row for row in rows if row[0] == "7124")[2:] == ["0.00", "350.00", "-350.00"]
