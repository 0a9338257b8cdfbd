"""Whether a service is taking referrals: set by the receiving side, shown and ranked in search."""
