"""Double-entry books of every member cooperative and of the GIE."""
