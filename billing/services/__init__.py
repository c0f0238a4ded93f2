"""Billing operations and their rules, one module per subject: customers, the catalogue and
its prices, subscriptions and billing runs, invoices and credit notes, payments and their
allocation, and the postings of all of these in the books. Callers import the module that
holds the operation."""
