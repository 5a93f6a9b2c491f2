"""Formats partnerships reads and writes for other tools: the studbook's SPARKS exchange layout."""
