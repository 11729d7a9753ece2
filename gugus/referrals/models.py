"""Models of gugus.referrals."""
