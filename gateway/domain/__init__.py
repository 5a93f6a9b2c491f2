"""The gateway's own domain: API keys. Plain Python, no I/O."""
