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
from fastapi_problem.error import Problem, StatusProblem
from fastapi_problem.handler import ExceptionHandler, add_exception_handler, new_exception_handler
from starlette.requests import Request

from shared import domain

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
    return Problem(title, type_=type_, detail=detail, status=status, headers=dict(headers or {}), **extras)


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


def precondition_failed(detail: str) -> Problem:
    return problem(412, "precondition-failed", "Precondition failed", detail)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Only loc, msg and type: pydantic's `input` would echo back whatever was sent (100 kB strings included).
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors()
    ]


def _on_validation(_eh: ExceptionHandler, _request: Request, exc: RequestValidationError) -> Problem:
    errors = _validation_errors(exc)
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return problem(422, "invalid-input", "Invalid input", f"{where}: {first['msg']}{more}", errors=errors)


def _on_domain(_eh: ExceptionHandler, _request: Request, exc: Exception) -> Problem:
    if isinstance(exc, domain.InvalidTransition):
        return conflict(exc.detail, state=exc.state, allowed_actions=exc.allowed)
    if isinstance(exc, domain.Conflict):
        return conflict(exc.detail)
    if isinstance(exc, domain.NotFound):
        return not_found(exc.detail)
    if isinstance(exc, domain.RuleViolated):
        return invalid(exc.detail, exc.loc)
    return invalid(str(exc))


def install_problem_handlers(app: FastAPI) -> None:
    eh = new_exception_handler(
        logger=log,
        unhandled_wrappers={"default": InternalError},
        handlers={domain.DomainError: _on_domain},
        request_validation_handler=_on_validation,
        documentation_uri_template=TYPE_URI,
    )
    add_exception_handler(app, eh, generic_swagger_defaults=False)
