"""Forms of the commercial pages: field parsing and field-level checks only."""
