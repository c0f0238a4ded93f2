"""Read side of training: calendar, feeds, sheets and indicators."""
