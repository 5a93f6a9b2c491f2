"""RFC 9457 problem details for every error a client can see, validation included.

Built on `fastapi-problem` (and its `rfc9457` base); this module only decides the project's problem types and
how domain refusals map to them. Unhandled exceptions become a 500 that leaks nothing about internals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from fastapi_problem.error import Problem, StatusProblem
from fastapi_problem.handler import (
    ExceptionHandler,
    add_exception_handler,
    http_exception_handler_,
    new_exception_handler,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import compile_path

from shared import domain
from shared.deadline import DeadlinePassed
from shared.problem_types import checked

log = logging.getLogger("problems")

PROBLEM_JSON = "application/problem+json"
TYPE_URI = "/problems/{type}"


class InternalError(StatusProblem):
    type_ = "internal-error"
    title = "Internal server error"
    status = 500

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        # Whatever the exception said stays in the logs; the client learns only that it was our fault.
        super().__init__("The server could not complete the request; it has been logged.")


def problem(
    status: int,
    type_: str,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extras: Any,
) -> Problem:
    return Problem(title, type_=checked(type_), detail=detail, status=status, headers=dict(headers or {}), **extras)


def invalid(detail: str, loc: tuple[str | int, ...] = ("body",), type_: str = "value_error") -> Problem:
    """A 422 with the contract's `errors` list, for rules checked after parsing."""
    return problem(
        422, "invalid-input", "Invalid input", detail, errors=[{"loc": list(loc), "msg": detail, "type": type_}]
    )


def not_found(detail: str) -> Problem:
    return problem(404, "not-found", "Not found", detail)


def conflict(detail: str, **extras: Any) -> Problem:
    return problem(409, "conflict", "Conflict", detail, **extras)


def unauthorized(detail: str) -> Problem:
    return problem(401, "unauthorized", "Unauthorized", detail, headers={"WWW-Authenticate": "ApiKey, Bearer"})


def forbidden(detail: str) -> Problem:
    return problem(403, "forbidden", "Forbidden", detail)


def too_large(detail: str) -> Problem:
    return problem(413, "content-too-large", "Content too large", detail)


def unsupported_media_type(detail: str) -> Problem:
    return problem(415, "unsupported-media-type", "Unsupported media type", detail)


def precondition_failed(detail: str) -> Problem:
    return problem(412, "precondition-failed", "Precondition failed", detail)


LOC_PART_MAX = 100


def loc_part(part: Any) -> Any:
    """A part of an error's `loc` as the client may see it. A client's dict key can be part of `loc` (the
    language of a localized text): cut, so an error cannot echo 100 kB back."""
    if isinstance(part, str) and len(part) > LOC_PART_MAX:
        return part[:LOC_PART_MAX] + "..."
    return part


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Only loc, msg and type: pydantic's `input` would echo back whatever was sent (100 kB strings included).
    return [
        {
            "loc": [loc_part(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]


def _on_validation(_eh: ExceptionHandler, _request: Request, exc: RequestValidationError) -> Problem:
    errors = _validation_errors(exc)
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return problem(422, "invalid-input", "Invalid input", f"{where}: {first['msg']}{more}", errors=errors)


def _on_http(eh: ExceptionHandler, request: Request, exc: HTTPException) -> Problem:
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError):
        # FastAPI answers a JSON body it cannot decode for another reason than a syntax error (bytes that are
        # not UTF-8, nesting too deep, a number too long) with a bare 400. For the client it is invalid input
        # like a syntax error: the contract's 422 with `errors`.
        return invalid("the body is not JSON this API can read (UTF-8, not nested too deep, numbers not too "
                       "long)", ("body",), "json_invalid")
    if exc.status_code == 405 and (methods := described_methods(request)):
        # Starlette names only the first route that has the path; a path with GET and PATCH routes is both.
        exc.headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
    return http_exception_handler_(eh, request, exc)


def described_methods(request: Request) -> list[str]:
    """The methods of the resource at the request's path, for `Allow` (RFC 9110 §10.2.1), sorted: those of the
    described routes (in the app's OpenAPI document) with the path template of the first one that has the path
    (as Starlette matches: `/works/import` before `/works/{work_id}`). Empty when no described route has it."""
    described = [r for r in iter_route_contexts(request.app.routes)
                 if getattr(r, "include_in_schema", False) and getattr(r, "methods", None)]
    path = request.scope["path"]
    for route in described:
        if compile_path(route.path)[0].match(path):
            return sorted(set().union(*(r.methods for r in described if r.path == route.path)))
    return []


RETRY_AFTER = {"Retry-After": "1"}
# SQLSTATEs of a PostgreSQL wait that ran out: lock_timeout (55P03) and statement_timeout (57014).
_GAVE_UP_WAITING = {"55P03", "57014"}


def past_deadline() -> Problem:
    """503: the request could not be done by its deadline, and nothing of it was committed."""
    return problem(503, "deadline-exceeded", "Service unavailable",
                   "the request could not be completed in time and nothing was changed; send it again",
                   headers=RETRY_AFTER)


def _gave_up_waiting(exc: DBAPIError) -> bool:
    """The database stopped waiting for a lock (or a statement) at the deadline we gave it."""
    for cause in (exc.orig, getattr(exc.orig, "__cause__", None)):
        if getattr(cause, "sqlstate", None) in _GAVE_UP_WAITING:
            return True
    return "database is locked" in str(exc.orig)  # SQLite's busy timeout


def _on_deadline(_eh: ExceptionHandler, _request: Request, _exc: Exception) -> Problem:
    return past_deadline()


def _on_database(_eh: ExceptionHandler, _request: Request, exc: Exception) -> Problem | None:
    if isinstance(exc, PoolTimeout) or (isinstance(exc, DBAPIError) and _gave_up_waiting(exc)):
        return past_deadline()
    return None  # a fault of ours: the default 500, logged


def _on_domain(_eh: ExceptionHandler, _request: Request, exc: Exception) -> Problem:
    if isinstance(exc, domain.StaleVersion):
        return precondition_failed(exc.detail)
    if isinstance(exc, domain.Incomplete):
        return conflict(exc.detail, missing=exc.missing)
    if isinstance(exc, domain.InvalidTransition):
        return conflict(exc.detail, state=exc.state, allowed_actions=exc.allowed)
    if isinstance(exc, domain.Conflict):
        return conflict(exc.detail)
    if isinstance(exc, domain.NotFound):
        return not_found(exc.detail)
    if isinstance(exc, domain.RuleViolated):
        return invalid(exc.detail, exc.loc, exc.kind)
    return invalid(str(exc))


def install_problem_handlers(app: FastAPI) -> None:
    eh = new_exception_handler(
        logger=log,
        unhandled_wrappers={"default": InternalError},
        handlers={domain.DomainError: _on_domain, DeadlinePassed: _on_deadline, DBAPIError: _on_database,
                  PoolTimeout: _on_database},
        http_exception_handler=_on_http,
        request_validation_handler=_on_validation,
        documentation_uri_template=TYPE_URI,
    )
    add_exception_handler(app, eh, generic_swagger_defaults=False)
    # Starlette gives the handler registered for `Exception` to its outermost middleware, outside ours, so
    # RequestContextMiddleware would see a domain refusal first and answer 500. Registered by class, it is
    # handled where the route raised it, like a Problem.
    for exc_class in (domain.DomainError, DeadlinePassed, DBAPIError, PoolTimeout):
        app.add_exception_handler(exc_class, eh)
