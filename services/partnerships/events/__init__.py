"""What partnerships publishes (`published.py`) and what it consumes (`handlers.py`)."""
