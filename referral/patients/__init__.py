"""Patients: who they are, how to reach them, and what they agreed to."""
