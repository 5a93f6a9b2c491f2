"""The publications domain: plain Python, no I/O."""
