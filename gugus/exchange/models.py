"""Models of gugus.exchange."""
