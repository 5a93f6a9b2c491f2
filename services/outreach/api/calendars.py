"""`/api/v1/outreach/calendar.ics` and `/events/{id}/calendar.ics`: the schedule and one event as iCalendar
(RFC 5545), to add to a calendar app. Written by `formats/calendar.py`."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.outreach.api.event_params import FiltersDep
from services.outreach.formats.calendar import calendar_of
from services.outreach.usecases import events
from shared.auth import CallerDep, GuardedRoute
from shared.service import ClockDep, ReadSessionDep

router = APIRouter(route_class=GuardedRoute, tags=["events"])

ICS = "text/calendar; charset=utf-8"
AS_ICS = {200: {"content": {"text/calendar": {"schema": {"type": "string"}, "example": (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Giant Panda Research Base//Outreach//EN\r\nCALSCALE:GREGORIAN\r\n"
    "METHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:01a23f8c-85e8-75b7-b372-50ea1dcafa53@outreach.panda-coop\r\n"
    "DTSTAMP:20261204T060000Z\r\nDTSTART;TZID=Asia/Shanghai:20270601T100000\r\n"
    "DTEND;TZID=Asia/Shanghai:20270601T113000\r\nSUMMARY:Meet the pandas\r\nLOCATION:Panda classroom\\, Chengdu\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n")}}}}


@router.get("/events/{event_id}/calendar.ics", response_class=Response, responses=AS_ICS)
async def event_calendar(event_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep, clock: ClockDep
                         ) -> Response:
    """The event as iCalendar (RFC 5545), to add to a calendar app."""
    event = await events.visible_event(session, caller, event_id)
    return Response(calendar_of([event], clock.now()), media_type=ICS,
                    headers={"Content-Disposition": f'inline; filename="event-{event.id}.ics"'})


@router.get("/calendar.ics", response_class=Response, responses=AS_ICS)
async def schedule_calendar(caller: CallerDep, session: ReadSessionDep, clock: ClockDep, filters: FiltersDep
                            ) -> Response:
    """The schedule as iCalendar (RFC 5545), with the same filters as the event list: the first 1000 events
    by start. Without `status`, the scheduled ones."""
    found = await events.schedule_events(session, caller, filters)
    return Response(calendar_of(found, clock.now()), media_type=ICS,
                    headers={"Content-Disposition": 'inline; filename="outreach.ics"'})
