"""Courses, sessions, bookings, attendance and certificates."""
