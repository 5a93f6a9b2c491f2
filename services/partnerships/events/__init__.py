"""What partnerships consumes (`handlers.py`). What it publishes is its contract, `shared/contracts/partnerships.py`,
recorded by the aggregates of `domain/`."""
