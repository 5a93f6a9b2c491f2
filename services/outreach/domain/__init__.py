"""The outreach domain: plain Python, no I/O."""
