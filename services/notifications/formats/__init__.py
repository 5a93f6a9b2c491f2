"""How a message looks: its text rendered from the editable templates, and the email or push built from it."""
