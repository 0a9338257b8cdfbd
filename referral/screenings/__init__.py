"""Screenings stored for patients: answers, positive domains and coded needs."""
