"""Training: every rule about courses, sessions, bookings, the waitlist and attendance."""
