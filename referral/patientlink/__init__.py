"""The patient's own view: a signed, expiring link to their open referrals."""
