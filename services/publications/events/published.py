"""Events on `publications.events`, one schema class per type. None yet: the publications capability brings them."""
