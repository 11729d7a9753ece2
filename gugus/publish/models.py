"""Models of gugus.publish."""
