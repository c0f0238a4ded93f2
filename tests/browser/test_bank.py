"""The accountant imports a bank statement and accepts a suggested match, in French and
Arabic."""

from collections import Counter
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect


def _french(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _statement(on: date, label: str, amount: Decimal, balance: Decimal) -> bytes:
    """One line in the demo's CIH Bank format: the cheque the books have and the bank has
    now cashed."""
    debit, credit = ("", _french(amount)) if amount > 0 else (_french(-amount), "")
    rows = [
        "CIH BANK - Relevé",
        "Date opération;Libellé;Référence;Débit;Crédit;Solde",
        f"{on:%d/%m/%Y};{label};;{debit};{credit};{_french(balance + amount)}",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def test_accountant_imports_a_statement_and_accepts_a_suggestion(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    page.click("table.dense a:text-is('COOP-001')")
    page.click(".subnav a[href$='/bank']")
    page.click("table.dense tbody a >> nth=0")
    account_url = page.url
    visitor.shot("bank-account")

    # what the books have and the bank not yet: the last open line of the books whose amount
    # no other open line has, so that one suggestion fits (other tests book payments of the
    # same amount on the same day)
    page.goto(f"{account_url}/reconciliation?on={date.today().isoformat()}")
    balance = Decimal(page.get_attribute("[data-bank-balance]", "data-bank-balance"))
    open_lines = [
        (
            date.fromisoformat(row.get_attribute("data-date")),
            Decimal(row.get_attribute("data-amount")),
        )
        for row in page.locator("table.book-lines tbody tr[data-date]").all()
    ]
    amounts = Counter(amount for _, amount in open_lines)
    on, amount = [line for line in open_lines if amounts[line[1]] == 1][-1]
    visitor.shot("bank-reconciliation")

    label = f"REMISE TEST {visitor.language.upper()}"
    page.goto(account_url)
    page.set_input_files(
        "#file",
        files=[
            {
                "name": f"releve-{visitor.language}.csv",
                "mimeType": "text/csv",
                "buffer": _statement(on, label, amount, balance),
            }
        ],
    )
    page.click("form.bank-import button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    row = page.locator("tr[data-bank-line]", has_text=label)
    expect(row.locator("form.bank-accept button")).to_have_count(1)
    visitor.shot("bank-statement")

    row.locator("form.bank-accept button").click()
    expect(page.locator(".flash-success")).to_be_visible()
    row = page.locator("tr[data-bank-line]", has_text=label)
    expect(row.locator(".badge-active")).to_be_visible()
    expect(row.locator("form.bank-accept")).to_have_count(0)
    visitor.shot("bank-reconciled")


def _camt053(on: date, label: str, amount: Decimal) -> bytes:
    """A CAMT.053 statement of one entry, its opening and closing balances adding up."""
    opening = Decimal("1000.00")
    balances = "".join(
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy='MAD'>{value}</Amt>"
        f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{on.isoformat()}</Dt></Dt></Bal>"
        for code, value in (("OPBD", opening), ("CLBD", opening + amount))
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.08'><BkToCstmrStmt>"
        "<GrpHdr><MsgId>TEST</MsgId><CreDtTm>2026-05-01T06:00:00+01:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{label}</Id><Acct><Id><IBAN>MA64011780000999999999999999</IBAN></Id>"
        f"<Ccy>MAD</Ccy></Acct>{balances}"
        f"<Ntry><Amt Ccy='MAD'>{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
        f"<BookgDt><Dt>{on.isoformat()}</Dt></BookgDt><AcctSvcrRef>{label}</AcctSvcrRef>"
        f"<NtryDtls><TxDtls><RmtInf><Ustrd>{label}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def test_accountant_imports_a_camt053_statement(visitor):
    visitor.login("comptable@gie-tta.ma")
    page = visitor.page
    visitor.go("/accounting/")
    page.click("table.dense a:text-is('COOP-001')")
    page.click(".subnav a[href$='/bank']")
    page.click("table.dense tbody a >> nth=0")

    label = f"VIREMENT CAMT {visitor.language.upper()}"
    page.set_input_files(
        "#file",
        files=[
            {
                "name": f"camt053-{visitor.language}.xml",
                "mimeType": "application/xml",
                "buffer": _camt053(date.today(), label, Decimal("321.45")),
            }
        ],
    )
    page.select_option("#source", "camt053")
    page.click("form.bank-import button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("MA64011780000999999999999999")
    expect(page.locator("tr[data-bank-line]", has_text=label)).to_have_count(1)
    visitor.shot("bank-camt053")
