"""The notifications service's use cases: taking requests, sending, reminders, people's choices, erasure."""
