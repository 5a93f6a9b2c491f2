"""The partnerships domain: plain Python, no I/O. Routers call these methods; they decide."""
