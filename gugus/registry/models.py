"""Models of gugus.registry."""
