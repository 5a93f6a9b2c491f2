"""What partnerships reacts to. Nothing yet: the impact ledger (training, outreach and publications events)
will register its handlers here."""

from shared.events.consumer import EventHandlers

handlers = EventHandlers()
