"""The notifications service's rules, as plain Python: a message's lifecycle, its retries, and who may be told."""
