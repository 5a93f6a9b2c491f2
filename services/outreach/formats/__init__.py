"""What outreach writes in other formats than JSON: the events as iCalendar (`calendar.py`)."""
