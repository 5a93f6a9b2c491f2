"""Local copies of other services' data, kept current from their events (never fetched over HTTP)."""
