"""The notifications service: tells people what happened (confirmations, waitlist promotions, reminders,
cancellations, certificates, agreements) by email and push, from the requests the other services write on their
private `<service>.notifications` topics; keeps the delivery log, members' devices and choices."""

from services.notifications.api import deliveries, people
from services.notifications.db.models import messaging
from services.notifications.events.handlers import event_handlers
from services.notifications.jobs.delivery import keep_reminders, send_messages
from services.notifications.settings import NotificationsSettings
from shared.clock import Clock
from shared.service import create_service_app

TAGS = {
    "notifications": "Emails and pushes to people: the delivery log, members' devices and preferences, one-click "
                     "unsubscribe, and erasing a person's contact data.",
}

settings = NotificationsSettings()
app = create_service_app(
    settings,
    title="Notifications",
    tables=messaging,
    routers=[deliveries.router, people.router],
    handlers=event_handlers(Clock(settings.clock_file)),
    jobs=[send_messages, keep_reminders],
    tags=TAGS,
)
