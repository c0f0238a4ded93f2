"""CSV import of entries (all or nothing, errors by line), CSV and hledger exports, and the
commands around them."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting import exporters, importers, services
from accounting.importers import COLUMNS
from accounting.models import Account, Entry, Line
from accounting.reports import statements
from accounting.views import transfers as transfer_views
from gie.cooperatives.models import Cooperative
from gie.errors import ImportFailed

HEADER = "entry,date,journal,account,label,debit,credit"

# A French spreadsheet's export: `;` separated, decimal commas, day-first dates.
GOOD = """\
entry;date;journal;account;label;debit;credit;reference;partner
F1;15/03/2026;VT;3421;Facture 1;1 200,00;;FAC-1;COOP-X
F1;15/03/2026;VT;7124;Facture 1;;1000,00;FAC-1;
F1;15/03/2026;VT;4455;Facture 1;;200,00;FAC-1;
P1;20/03/2026;BQ;5141;Règlement F1;1200,00;;;
P1;20/03/2026;BQ;3421;Règlement F1;;1200,00;;COOP-X
F2;2026-03-25;VT;3421;Facture 2;600,5;;FAC-2;
F2;2026-03-25;VT;7124;Facture 2;;500,42;FAC-2;
F2;2026-03-25;VT;4455;Facture 2;;100,08;FAC-2;
"""


def _entries(session, ledger):
    return session.scalars(
        select(Entry).where(Entry.ledger_id == ledger.id).order_by(Entry.chain_index)
    ).all()


def _count(session, model, ledger_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(model).where(model.ledger_id == ledger_id)
    )


def _closing(session, ledger) -> dict[str, tuple[Decimal, Decimal]]:
    return {
        row.code: (row.closing_debit, row.closing_credit)
        for row in statements.trial_balance(session, ledger.id).rows
    }


def _import(session, ledger, text, **options):
    summary = importers.import_entries(session, ledger.id, text.encode(), **options)
    session.commit()
    return summary


def _refusal(session, ledger, text, **options) -> dict[int, list[str]]:
    """Import a file that must be refused; its errors by line."""
    with pytest.raises(ImportFailed) as refused:
        importers.import_entries(session, ledger.id, text.encode(), **options)
    session.rollback()
    errors: dict[int, list[str]] = {}
    for line, message in refused.value.line_errors:
        errors.setdefault(line, []).append(str(message))
    return errors


# --- import ------------------------------------------------------------------------------


def test_good_file_is_posted_with_gapless_numbers_continuing_the_journals(session, ledger, post):
    post(ledger, (("3421", "120", ""), ("7124", "", "120")), journal="VT", on=date(2026, 3, 1))

    summary = _import(session, ledger, GOOD)

    assert (summary.entries, summary.lines, summary.accounts_created) == (3, 8, [])
    entries = _entries(session, ledger)
    assert [e.number for e in entries] == [
        "VT-2026-00001",
        "VT-2026-00002",
        "BQ-2026-00001",
        "VT-2026-00003",
    ]
    assert all(e.state == "posted" for e in entries)
    assert [e.chain_index for e in entries] == [1, 2, 3, 4]
    first = entries[1]
    assert (first.date, first.label, first.reference) == (date(2026, 3, 15), "Facture 1", "FAC-1")
    assert [(line.account.code, line.debit, line.credit, line.partner) for line in first.lines] == [
        ("3421", Decimal("1200.00"), Decimal("0.00"), "COOP-X"),
        ("7124", Decimal("0.00"), Decimal("1000.00"), ""),
        ("4455", Decimal("0.00"), Decimal("200.00"), ""),
    ]
    assert all(line.posted for entry in entries for line in entry.lines)
    closing = _closing(session, ledger)
    assert closing["3421"] == (Decimal("720.50"), Decimal("0.00"))
    assert closing["7124"] == (Decimal("0.00"), Decimal("1620.42"))
    assert services.verify_ledger(session, ledger.id).ok

    # The chain head moved: a later entry posted one by one chains on the imported ones.
    later = post(
        ledger, (("5141", "10", ""), ("7124", "", "10")), journal="VT", on=date(2026, 4, 1)
    )
    assert later.number == "VT-2026-00004"
    assert later.chain_index == 5
    assert services.verify_ledger(session, ledger.id).ok


def test_a_file_with_one_bad_line_imports_nothing_and_names_that_line(session, ledger):
    text = GOOD.replace(
        "P1;20/03/2026;BQ;5141;Règlement F1;1200,00;", "P1;20/03/2026;BQ;5141;Règlement F1;12x0;"
    )
    errors = _refusal(session, ledger, text)
    assert list(errors) == [5]
    assert "12x0" in errors[5][0]
    assert _count(session, Entry, ledger.id) == 0
    assert _count(session, Line, ledger.id) == 0


def test_every_error_is_listed_by_its_line(session, ledger, make_user):
    services.set_lock_date(session, ledger.id, date(2026, 1, 31))
    account = session.scalar(
        select(Account).where(Account.ledger_id == ledger.id, Account.code == "6126")
    )
    services.update_account(
        session, account.id, label=account.label, active=False, actor=make_user("accountant")
    )
    session.commit()
    text = "\n".join(
        [
            HEADER,
            "A,2026-03-01,XX,5141,Journal inconnu,10,",  # 2: unknown journal
            "A,2026-03-01,XX,7124,Journal inconnu,,10",
            "B,2026-13-01,OD,5141,Date impossible,10,",  # 4: bad date
            "B,2026-13-01,OD,7124,Date impossible,,10",
            "C,2026-03-01,OD,5141,Les deux,10,10",  # 6: both debit and credit
            "C,2026-03-01,OD,7124,Les deux,,10",
            "D,2026-03-01,OD,5141,Aucun,,",  # 8: neither
            "D,2026-03-01,OD,7124,Aucun,,10",
            "E,2027-03-01,OD,5141,Hors exercice,10,",  # 10: no fiscal year
            "E,2027-03-01,OD,7124,Hors exercice,,10",
            "F,2026-01-31,OD,5141,Verrouillé,10,",  # 12: on the lock date
            "F,2026-01-31,OD,7124,Verrouillé,,10",
            "G,2026-03-01,OD,6126,Compte désactivé,10,",  # 14: inactive account
            "G,2026-03-01,OD,5141,Compte désactivé,,10",
            "H,2026-03-01,OD,5141,Montant négatif,-10,",  # 16: negative amount
            "H,2026-03-01,OD,7124,Montant négatif,,10",
            "I,2026-03-01,OD,5141,Trois décimales,10.005,",  # 18: three decimals
            "I,2026-03-01,OD,7124,Trois décimales,,10",
            "J,2026-03-01,OD,5141,Une seule ligne,10,",  # 20: a single line
            "K,2026-03-01,OD,5141,Dates différentes,10,",
            "K,2026-03-02,OD,7124,Dates différentes,,10",  # 22: another date in the entry
            "L,12,OD,5141,Date incomplète,10,",  # 23, 24: dateutil would complete it from today
            "L,12,OD,7124,Date incomplète,,10",
        ]
    )
    errors = _refusal(session, ledger, text)
    assert sorted(errors) == [2, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 23, 24]
    assert "XX" in errors[2][0]
    assert "2027-03-01" in errors[10][0]
    assert "2026-01-31" in errors[12][0]
    assert "6126" in errors[14][0]
    assert _count(session, Entry, ledger.id) == 0


def test_an_unbalanced_entry_names_its_lines(session, ledger):
    text = "\n".join(
        [
            HEADER,
            "OK,2026-03-01,OD,5141,Équilibrée,10,",
            "OK,2026-03-01,OD,7124,Équilibrée,,10",
            "F9,2026-03-02,VT,3421,Déséquilibrée,1200,",
            "F9,2026-03-02,VT,7124,Déséquilibrée,,1000",
            "OK2,2026-03-03,OD,5141,Équilibrée,5,",
            "F9,2026-03-02,VT,4455,Déséquilibrée,,199.99",
            "OK2,2026-03-03,OD,7124,Équilibrée,,5",
        ]
    )
    errors = _refusal(session, ledger, text)
    assert list(errors) == [4]
    message = errors[4][0]
    assert "F9" in message and "4, 5, 7" in message
    assert "1200.00" in message and "1199.99" in message
    assert _count(session, Entry, ledger.id) == 0


def test_unknown_account_is_refused_then_created_with_create_accounts(session, ledger):
    text = "\n".join(
        [
            HEADER + ",account_label",
            "1,2026-03-01,OD,34219,Client Hôtel Atlas,500,,Clients - Hôtel Atlas",
            "1,2026-03-01,OD,7124,Client Hôtel Atlas,,500,",
            "2,2026-03-02,OD,6999,Charge,80,,",
            "2,2026-03-02,OD,1499,Charge,,80,Dettes diverses",
        ]
    )
    errors = _refusal(session, ledger, text)
    assert sorted(errors) == [2, 4, 5]
    assert "34219" in errors[2][0]
    assert (
        session.scalar(
            select(Account.id).where(Account.ledger_id == ledger.id, Account.code == "34219")
        )
        is None
    )

    summary = _import(session, ledger, text, create_accounts=True)

    assert summary.accounts_created == ["1499", "34219", "6999"]
    created = {
        account.code: (account.class_number, account.kind, account.label)
        for account in session.scalars(
            select(Account).where(
                Account.ledger_id == ledger.id, Account.code.in_(["34219", "6999", "1499"])
            )
        )
    }
    assert created == {
        "34219": (3, "asset", "Clients - Hôtel Atlas"),
        "6999": (6, "expense", "6999"),
        "1499": (1, "liability", "Dettes diverses"),
    }
    assert _closing(session, ledger)["34219"] == (Decimal("500.00"), Decimal("0.00"))
    assert services.verify_ledger(session, ledger.id).ok


def test_a_file_without_the_required_columns_is_refused_on_line_1(session, ledger):
    errors = _refusal(session, ledger, "entry,date,account,debit,credit\n1,2026-03-01,5141,10,\n")
    assert list(errors) == [1]
    assert "journal" in errors[1][0] and "label" in errors[1][0]


# --- export ------------------------------------------------------------------------------


def _some_books(session, ledger, post):
    post(
        ledger,
        (("5141", "5000.00", ""), ("1111", "", "5000.00")),
        journal="OD",
        on=date(2026, 1, 2),
        label="Apport",
    )
    post(
        ledger,
        (("3421", "1200.00", ""), ("7124", "", "1000.00"), ("4455", "", "200.00")),
        journal="VT",
        on=date(2026, 2, 1),
        label="Facture; n° 1",
    )
    post(
        ledger,
        (("6126", "300.10", ""), ("3455", "60.02", ""), ("4411", "", "360.12")),
        journal="AC",
        on=date(2026, 2, 3),
        label="Achat  laine",
    )
    post(
        ledger,
        (("5141", "1200.00", ""), ("3421", "", "1200.00")),
        journal="BQ",
        on=date(2026, 3, 1),
        label="Règlement",
    )
    post(
        ledger,
        (("4411", "360.12", ""), ("5141", "", "360.12")),
        journal="BQ",
        on=date(2026, 3, 5),
        label="Paiement fournisseur",
    )
    services.save_draft(
        session,
        ledger.id,
        journal_code="OD",
        entry_date=date(2026, 3, 6),
        label="Brouillon",
        lines=[
            services.LineInput("5141", debit=Decimal("1")),
            services.LineInput("7124", credit=Decimal("1")),
        ],
    )
    session.commit()


def test_csv_export_reimports_into_empty_books_to_the_same_trial_balance(
    session, make_ledger, post
):
    source, target = make_ledger(), make_ledger()
    _some_books(session, source, post)

    exported = exporters.export_csv(session, source.id)
    assert exported.splitlines()[0] == ",".join(importers.COLUMNS)
    assert "Brouillon" not in exported  # drafts are not exported
    summary = _import(session, target, exported)

    assert (summary.entries, summary.lines) == (5, 12)
    assert _closing(session, target) == _closing(session, source)
    assert services.verify_ledger(session, target.id).ok
    # Same order, numbers, labels, references and partners: the export of the copy is the same.
    assert exporters.export_csv(session, target.id) == exported


def test_csv_export_runs_no_formula_and_reimports_the_same_labels(session, make_ledger, post):
    source, target = make_ledger(), make_ledger()
    post(
        source,
        (("5141", "12.50", ""), ("7124", "", "12.50")),
        label='=HYPERLINK("http://x")',
    )
    exported = exporters.export_csv(session, source.id)
    assert '\'=HYPERLINK(""http://x"")' in exported  # a spreadsheet reads it as text

    _import(session, target, exported)
    labels = session.scalars(select(Line.label).join(Entry).where(Entry.ledger_id == target.id))
    assert set(labels) == {'=HYPERLINK("http://x")'}
    assert exporters.export_csv(session, target.id) == exported


def _hledger_balances(path) -> dict[str, Decimal]:
    output = subprocess.run(
        ["hledger", "-f", str(path), "balance", "--flat", "--no-total", "-O", "csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    balances = {}
    for row in list(csv.reader(io.StringIO(output)))[1:]:
        account, amount = row
        code = account.split(" ", 1)[0]
        balances[code] = Decimal(amount.removesuffix(" MAD").replace(",", ""))
    return balances


def test_hledger_reads_our_journal_to_our_trial_balance(session, ledger, post, tmp_path):
    if shutil.which("hledger") is None:
        if os.environ.get("GIE_REQUIRE_HLEDGER") == "1":
            pytest.fail("GIE_REQUIRE_HLEDGER=1 but hledger is not installed")
        pytest.skip("hledger is not installed")
    # An account label that hledger would misread if it were written as is.
    services.add_account(session, ledger.id, "51411", "Banque  Populaire; compte: courant")
    session.commit()
    _some_books(session, ledger, post)
    post(
        ledger, (("51411", "999.99", ""), ("5141", "", "999.99")), journal="BQ", on=date(2026, 4, 1)
    )

    journal = exporters.export_hledger(session, ledger.id)
    assert "    51411 Banque Populaire, compte - courant  999.99 MAD" in journal
    assert re.search(r"^2026-02-01 \(VT-2026-00001\) Facture, n° 1$", journal, re.M)
    path = tmp_path / "books.journal"
    path.write_text(journal, encoding="utf-8")

    ours = {
        row.code: row.balance
        for row in statements.trial_balance(session, ledger.id).rows
        if row.balance
    }
    assert ours["51411"] == Decimal("999.99")
    assert _hledger_balances(path) == ours


# --- pages -------------------------------------------------------------------------------


def _upload(client, ledger, text, **fields):
    return client.post(
        f"/accounting/ledgers/{ledger.id}/import",
        data={"file": (io.BytesIO(text.encode()), "entries.csv"), **fields},
    )


def test_import_page_posts_a_good_file_and_redirects(client, session, login_as, ledger):
    login_as("accountant")
    assert client.get(f"/accounting/ledgers/{ledger.id}/import").status_code == 200
    response = _upload(client, ledger, GOOD)
    assert response.status_code == 302
    assert response.location.endswith(f"/accounting/ledgers/{ledger.id}")
    assert _count(session, Entry, ledger.id) == 3


def test_import_page_shows_every_bad_line_and_saves_nothing(client, session, login_as, ledger):
    login_as("accountant")
    text = GOOD.replace("F2;2026-03-25;VT;7124", "F2;2026-03-25;VT;7777")
    response = _upload(client, ledger, text)
    assert response.status_code == 422
    assert '<td class="num">8</td>' in response.text
    assert "7777" in response.text
    assert _count(session, Entry, ledger.id) == 0

    response = _upload(client, ledger, text, create_accounts="y")
    assert response.status_code == 302
    assert _count(session, Entry, ledger.id) == 3
    assert (
        session.scalar(
            select(Account.class_number).where(
                Account.ledger_id == ledger.id, Account.code == "7777"
            )
        )
        == 7
    )


def test_import_page_shows_the_first_errors_of_a_long_list(client, login_as, ledger, monkeypatch):
    monkeypatch.setattr(transfer_views, "SHOWN_ERRORS", 2)
    login_as("accountant")
    text = "\n".join([HEADER] + [f"{n},2026-03-01,OD,9{n}99,Ligne {n},10," for n in range(3)])
    response = _upload(client, ledger, text)
    assert response.status_code == 422
    assert response.text.count('<td class="num">') == 2


def test_exports_download_for_the_books_the_user_may_see(
    client, session, login_as, make_ledger, post
):
    own, other = make_ledger(), make_ledger()
    _some_books(session, own, post)
    login_as("president", session.get(Cooperative, own.cooperative_id))

    response = client.get(f"/accounting/ledgers/{own.id}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "VT-2026-00001" in response.text
    journal = client.get(f"/accounting/ledgers/{own.id}/export.journal")
    assert journal.status_code == 200
    assert "(BQ-2026-00002)" in journal.text

    assert client.get(f"/accounting/ledgers/{other.id}/export.csv").status_code == 404
    assert client.get(f"/accounting/ledgers/{other.id}/export.journal").status_code == 404
    assert client.get(f"/accounting/ledgers/{own.id}/import").status_code == 403


# --- commands ----------------------------------------------------------------------------


def test_cli_import_posts_the_file_and_refuses_a_bad_one_whole(session, runner, ledger, tmp_path):
    ledger_id, code = ledger.id, ledger.code  # a refused command rolls back: the object expires
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD.replace("P1;20/03/2026", "P1;31/02/2026"), encoding="utf-8-sig")
    result = runner.invoke(args=["accounting", "import", code, str(bad)])
    assert result.exit_code == 1
    assert re.search(r"line 5: .*31/02/2026", result.output)
    assert re.search(r"line 6: .*31/02/2026", result.output)
    assert _count(session, Entry, ledger_id) == 0

    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["accounting", "import", code.lower(), str(good)])
    assert result.exit_code == 0, result.output
    assert "3 entries and 8 lines" in result.output
    assert _count(session, Entry, ledger_id) == 3


def test_cli_import_creates_accounts_only_when_asked(session, runner, ledger, tmp_path):
    ledger_id, code = ledger.id, ledger.code  # a refused command rolls back: the object expires
    path = tmp_path / "entries.csv"
    path.write_text(
        HEADER
        + "\n1,2026-03-01,OD,51419,Caisse annexe,50,\n1,2026-03-01,OD,7124,Caisse annexe,,50\n"
    )
    result = runner.invoke(args=["accounting", "import", code, str(path)])
    assert result.exit_code == 1
    assert re.search(r"line 2: .*51419", result.output)

    result = runner.invoke(args=["accounting", "import", code, str(path), "--create-accounts"])
    assert result.exit_code == 0, result.output
    assert "51419" in result.output
    account = session.scalar(
        select(Account).where(Account.ledger_id == ledger_id, Account.code == "51419")
    )
    assert (account.class_number, account.kind) == (5, "asset")


def test_cli_export_writes_csv_and_hledger(session, runner, ledger, post, tmp_path):
    _some_books(session, ledger, post)
    result = runner.invoke(args=["accounting", "export", ledger.code, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == list(COLUMNS)
    assert rows[1] == [
        *("OD-2026-00001", "2026-01-02", "OD", "5141", "Apport", "5000.00", ""),
        *("", "", "Banques (soldes débiteurs)"),
    ]

    path = tmp_path / "books.journal"
    result = runner.invoke(
        args=["accounting", "export", ledger.code, "--format", "hledger", "--output", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == exporters.export_hledger(session, ledger.id)


def test_cli_trial_balance_in_csv_and_json(session, runner, ledger, post):
    _some_books(session, ledger, post)

    result = runner.invoke(args=["accounting", "trial-balance", ledger.code, "--to", "2026-02-28"])
    assert result.exit_code == 0, result.output
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(result.output))}
    assert (rows["5141"]["debit"], rows["5141"]["credit"], rows["5141"]["balance"]) == (
        "5000.00",
        "0.00",
        "5000.00",
    )
    assert (rows["4411"]["debit"], rows["4411"]["credit"], rows["4411"]["balance"]) == (
        "0.00",
        "360.12",
        "-360.12",
    )
    assert "3421" in rows and "1111" in rows

    result = runner.invoke(
        args=[
            "accounting",
            "trial-balance",
            ledger.code,
            "--from",
            "2026-03-01",
            "--to",
            "2026-12-31",
            "--format",
            "json",
        ]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["from"], document["to"]) == ("2026-03-01", "2026-12-31")
    accounts = {row["code"]: row for row in document["accounts"]}
    expected = statements.trial_balance(
        session, ledger.id, date_from=date(2026, 3, 1), date_to=date(2026, 12, 31)
    )
    assert set(accounts) == {row.code for row in expected.rows}
    assert accounts["5141"] == {
        "code": "5141",
        "label": accounts["5141"]["label"],
        "debit": "5839.88",
        "credit": "0.00",
        "balance": "5839.88",
    }
    assert accounts["4411"]["balance"] == "0.00"
    assert document["totals"]["debit"] == document["totals"]["credit"]


def test_cli_commands_refuse_unknown_books(runner):
    for args in (["export", "NOPE"], ["trial-balance", "NOPE"]):
        result = runner.invoke(args=["accounting", *args])
        assert result.exit_code == 1
