"""The partnerships domain: plain Python, no I/O. The use cases call these methods; they decide."""
