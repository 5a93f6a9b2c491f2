"""Events on `outreach.events`, one schema class per type. None yet: the outreach capability brings them."""
