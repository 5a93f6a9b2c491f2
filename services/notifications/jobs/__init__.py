"""The scheduled work of the notifications service, run by every replica beside the API: sending, reminders and
the erasure of contacts past their time. Safe to run on every replica at once (claims, deletes that decide)."""
