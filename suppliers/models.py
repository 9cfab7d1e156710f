"""Models of the suppliers app."""
