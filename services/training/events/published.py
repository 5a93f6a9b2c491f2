"""Events on `training.events`, one schema class per type. None yet: the training capability brings them."""
