"""Models of the tenders app."""
