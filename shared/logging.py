"""Logs, one record a line, each carrying the service and the request id and trace id of the work it belongs to.

JSON (`LOG_JSON=true`, the default) for machines: one object a line, every field. Readable lines
(`LOG_JSON=false`, what `make run` shows) for people at a terminal: a short line per request or handled event,
every other field after it as `key=value`, nothing dropped; in colour when `LOG_COLOR` says so (`auto`: when
the output is a terminal).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

from shared.context import current_trace_id, request_id_var


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id_var.get()
        record.trace_id = current_trace_id()
        record.__dict__.pop("color_message", None)  # uvicorn's ANSI-coloured copy of the message
        return True


# What every LogRecord has; anything else on a record is a field its caller gave (`extra=`).
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_CONTEXT = ("service", "request_id", "trace_id")
_RESET, _BOLD, _DIM = "\x1b[0m", "\x1b[1m", "\x1b[2m"
_STATUS_COLOURS = {2: "\x1b[32m", 3: "\x1b[36m", 4: "\x1b[33m", 5: "\x1b[31m"}
_LEVEL_COLOURS = {"WARNING": "\x1b[33m", "ERROR": "\x1b[31m", "CRITICAL": "\x1b[31;1m"}


class ReadableFormatter(logging.Formatter):
    """One line a record, for people: `time service` (left out when `labelled`: a supervisor such as `make run`'s
    honcho already starts each line with both) and then

    - a request (the `access` logger): `METHOD path status ms request-id`;
    - an event a consumer applied: `event <type> <subject> trace-id`;
    - anything else: `LEVEL logger: message`;

    followed by every other field the record carries as `key=value`, and a traceback when there is one."""

    def __init__(self, colour: bool, labelled: bool = False) -> None:
        super().__init__()
        self.colour = colour
        self.labelled = labelled

    def _paint(self, text: str, code: str | None) -> str:
        return f"{code}{text}{_RESET}" if self.colour and code else text

    def format(self, record: logging.LogRecord) -> str:
        fields = {k: v for k, v in record.__dict__.items() if k not in _RECORD_ATTRIBUTES and k not in _CONTEXT}
        when = dt.datetime.fromtimestamp(record.created).strftime("%H:%M:%S.%f")[:-3]
        service = f"{getattr(record, 'service', '-'):<12}"
        head = f"{self._paint(when, _DIM)} {self._paint(service, _BOLD)}"
        request_id = getattr(record, "request_id", None)
        if record.name == "access" and {"method", "path", "status", "duration_ms"} <= fields.keys():
            status = fields.pop("status")
            body = (f"{fields.pop('method')} {fields.pop('path')} "
                    f"{self._paint(str(status), _STATUS_COLOURS.get(int(status) // 100))} "
                    f"{fields.pop('duration_ms')} ms {self._paint(str(request_id), _DIM)}")
            fields.pop("route", None)
        elif record.name == "consumer" and record.getMessage() == "event applied" and "event_type" in fields:
            body = (f"event {self._paint(str(fields.pop('event_type')), _BOLD)} {fields.pop('subject', '')} "
                    f"{self._paint(str(getattr(record, 'trace_id', None)), _DIM)}")
            fields.pop("event_id", None)
        else:
            level = self._paint(record.levelname, _LEVEL_COLOURS.get(record.levelname))
            body = f"{level} {record.name}: {record.getMessage()}"
            if request_id:
                fields["request_id"] = request_id
        line = " ".join([*([] if self.labelled else [head]), body, *(f"{k}={_value(v)}" for k, v in fields.items())])
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _value(v: Any) -> str:
    text = str(v)
    return repr(text) if not text or any(c.isspace() for c in text) else text


def wants_colour(setting: Literal["auto", "true", "false"], stream: Any = sys.stdout) -> bool:
    """`LOG_COLOR`: `true`, `false`, or `auto` (a terminal, and `NO_COLOR` not set: https://no-color.org)."""
    if setting == "auto":
        return hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("NO_COLOR")
    return setting == "true"


def configure_logging(service: str, level: str = "INFO", json_output: bool = True,
                      colour: Literal["auto", "true", "false"] = "auto", labelled: bool = False) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_ContextFilter(service))
    if json_output:
        handler.setFormatter(
            JsonFormatter(
                "%(levelname)s %(name)s %(message)s %(service)s %(request_id)s %(trace_id)s",
                rename_fields={"levelname": "level", "name": "logger"},
                timestamp="time",
            )
        )
    else:
        handler.setFormatter(ReadableFormatter(colour=wants_colour(colour), labelled=labelled))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Uvicorn's own access log is replaced by ours (with route, status and ids); its error log goes through root.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = name != "uvicorn.access"
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the gateway's access line already says it
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.WARNING)
