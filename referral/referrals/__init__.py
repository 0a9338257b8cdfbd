"""Referrals: the closed-loop state machine, operations, views and the referral slip."""
