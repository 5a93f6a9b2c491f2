"""What the publications service does, one function per use case: load, let the domain decide, commit. Routers
call these and nothing below them."""
