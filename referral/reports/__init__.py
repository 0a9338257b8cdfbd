"""Reports: what screening and referrals add up to, as charts, tables and CSV."""
