"""What the partnerships service does, one function per use case: load, let the domain decide, commit. Routers,
event handlers and jobs call these and nothing below them."""
