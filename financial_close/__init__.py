"""The accountant's month and year: bank statements and reconciliation, VAT returns,
year-end closing, supporting documents, the cockpit and batch work."""
