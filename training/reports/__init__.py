"""Read side of training, by subject: sessions (calendar, feeds, sheets), indicators and
evaluations, home pages."""
