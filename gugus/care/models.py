"""Models of gugus.care."""
