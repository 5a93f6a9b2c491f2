"""What publications consumes (`handlers.py`). What it publishes is its topic's contract,
`shared/contracts/publications.py`: the `Work` aggregate records those events and the unit of work writes them."""
