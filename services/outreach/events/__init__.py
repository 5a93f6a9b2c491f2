"""What outreach consumes (`handlers.py`); what it publishes is the contract in `shared/contracts/outreach.py`."""
