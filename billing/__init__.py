"""Service catalogue, subscriptions, invoices, payments and statements."""
