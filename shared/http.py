"""HTTP details shared by every resource: versions as ETags, conditional requests (`If-Match`, `If-None-Match`),
the representations of aggregates, and how a route answers (`Reply`)."""

from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, Self, TypeVar

from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shared.db.lookup import Placed
from shared.domain import ANY_VERSION, ExpectedVersion
from shared.problems import invalid, too_large


def weighted(header: str | None) -> list[tuple[str, float]]:
    """The items of a header that weighs them (`Accept`, `Accept-Language`: `a;q=0.9, b`), in the order given, each
    with its weight (RFC 9110 §12.4.2: 1 when absent, 0 when not a number). Empty items are left out."""
    items: list[tuple[str, float]] = []
    for entry in (header or "").split(","):
        value, *params = (p.strip() for p in entry.split(";"))
        weight = 1.0
        for param in params:
            name, _, given = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(given)
                except ValueError:
                    weight = 0.0
        if value:
            items.append((value, weight))
    return items


def etag_of(version: int | str) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [t.strip() for t in header.split(",") if t.strip()]


def _weakly(tags: list[str]) -> list[str]:
    return [t.removeprefix("W/") for t in tags]


async def expected_version(request: Request) -> ExpectedVersion:
    """The versions the client's `If-Match` names (`*` or none: any); use cases check it under their lock.
    `If-Match` uses the strong comparison (RFC 9110 §13.1.1): a weak tag (`W/"3"`) matches no version, so it is
    always a 412."""
    header = request.headers.get("if-match")
    if header is None or "*" in (tags := _tags(header)):
        return ANY_VERSION
    return ExpectedVersion(frozenset(int(t[1:-1]) for t in tags
                                     if 2 < len(t) < 20 and t[0] == t[-1] == '"' and t[1:-1].isdigit()))


IfMatchDep = Annotated[ExpectedVersion, Depends(expected_version)]


def not_modified(request: Request, version: int | str, headers: dict[str, str] | None = None) -> Response | None:
    """`If-None-Match` on GET: the client's copy is current, so answer 304 with no body (with `headers`, and the
    ETag of `version`). If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"3" is as good as "3"."""
    header = request.headers.get("if-none-match")
    if header and ("*" in _tags(header) or etag_of(version) in _weakly(_tags(header))):
        return Response(status_code=304, headers={**(headers or {}), "ETag": etag_of(version)})
    return None


def set_etag(response: Response, version: int | str) -> None:
    response.headers["ETag"] = etag_of(version)


class Representation(BaseModel):
    """Base of a response body that shows an aggregate: each field from the attribute of the same name, unless
    given in `extra`. Given the response, `of` also sets its ETag from the aggregate's version."""

    @classmethod
    def of(cls, source: Any, response: Response | None = None, **extra: Any) -> Self:
        if response is not None:
            set_etag(response, source.version)
        values = {name: getattr(source, name) for name in cls.model_fields if name not in extra}
        return cls.model_validate({**values, **extra}, from_attributes=True)


class PlacedRepresentation(Representation):
    """Base of a response body that shows something holding a place or waiting for one (an enrollment, a
    registration): the item's fields, and `waitlist_position` from its place in line (`shared.db.lookup.Placed`)."""

    @classmethod
    def placed(cls, placed: Placed[Any], response: Response | None = None) -> Self:
        return cls.of(placed.item, response, waitlist_position=placed.waitlist_position)


Shown = TypeVar("Shown")


class Reply:
    """How a route answers about one aggregate, from the request and the response it is making: the
    representation (which sets the ETag, see `Representation.of`), or a 304 when the client's copy is current,
    and the `Location` of what a POST made. A route takes it as `reply: ReplyDep`."""

    def __init__(self, request: Request, response: Response) -> None:
        self.request = request
        self.response = response

    def current(self, aggregate: Any, show: Callable[[Any, Response], Shown]) -> Shown | Response:
        """`show(aggregate, response)`, or a 304 when `If-None-Match` names the aggregate's version."""
        return not_modified(self.request, aggregate.version) or show(aggregate, self.response)

    def created(self, route: str, **path_params: Any) -> Response:
        """Sets `Location` to the path of `route` (a route's name) with `path_params`, where what the POST made
        is read; returns the response, for the representation's ETag."""
        self.response.headers["Location"] = str(self.request.url_for(route, **path_params).path)
        return self.response


async def _reply(request: Request, response: Response) -> Reply:
    # An `async def` dependency: FastAPI runs a plain callable (the class itself) in a worker thread, a thread
    # hand-off on every request (docs/performance.md).
    return Reply(request, response)


ReplyDep = Annotated[Reply, Depends(_reply)]


def operation_id(route: APIRoute) -> str:
    """The `operationId` of a route in the API description: its function's name (`list_partners`), as a person
    would write it and a generated client names its method, instead of FastAPI's `list_partners_api_v1_..._get`.
    Unique across the whole API (a test walks the merged document)."""
    return route.name


_SEQUENCES = (list, set, tuple, frozenset, collections.abc.Sequence, collections.abc.Set)


def _takes_many(annotation: Any) -> bool:
    """Whether a parameter's type holds several values (`list[str] | None`, `Annotated[list[...], ...]`)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _takes_many(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_takes_many(a) for a in typing.get_args(annotation))
    return origin in _SEQUENCES or annotation in _SEQUENCES


def _repeatable_query_names(dependant: Dependant) -> frozenset[str]:
    names: set[str] = set()
    for field in dependant.query_params:
        annotation = field.field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):  # a query model: its fields
            names |= {f.alias or n for n, f in annotation.model_fields.items() if _takes_many(f.annotation)}
        elif _takes_many(annotation):
            names.add(field.alias)
    for sub in dependant.dependencies:
        names |= _repeatable_query_names(sub)
    return frozenset(names)


_REPEATABLE: dict[int, frozenset[str]] = {}


async def one_value_each(request: Request) -> None:
    """A query parameter that takes one value, given twice (`?q=a&q=b`), is a 422: FastAPI would quietly read
    the last one, and the API description says one value. Parameters that take several may repeat."""
    query = request.query_params
    if len(query.multi_items()) == len(query):  # nothing repeated: the usual case costs one comparison
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    if (repeatable := _REPEATABLE.get(id(route))) is None:  # routes live as long as the app
        repeatable = _REPEATABLE[id(route)] = _repeatable_query_names(route.dependant)
    for name in query:
        if name not in repeatable and len(query.getlist(name)) > 1:
            raise invalid(f"{name} takes one value; it was given {len(query.getlist(name))} times",
                          ("query", name), "repeated_parameter")


async def read_body(request: Request, max_bytes: int, what: str = "an import") -> bytes:
    """The whole request body, refused with a 413 as soon as it is larger than `max_bytes` (by its declared
    length, or while it streams in): a large upload is never held in memory."""
    limit = f"{what} is at most {max_bytes // (1024 * 1024)} MiB"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
