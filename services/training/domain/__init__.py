"""The training domain: plain Python, no I/O."""
