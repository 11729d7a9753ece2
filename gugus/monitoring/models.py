"""Models of gugus.monitoring."""
