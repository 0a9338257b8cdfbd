"""Notifications that leave the building: email and SMS queued in an outbox in the same
transaction as the change they announce, delivered by a worker, and replies read back."""
