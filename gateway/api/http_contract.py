"""What every operation of the API answers beyond its own success, written into the merged API description: the
problem statuses, the header parameters and the response headers that the gateway and the services' shared
layers add to every route (so no route declares them one by one, and none is left out).

Which operation gets which:

- every one: `X-Request-ID` (parameter and response header); 401 (credentials not valid), 429 (its caller's rate
  limit, with `Retry-After` and the `RateLimit` fields), 503 (overloaded or a dependency down, with `Retry-After`)
  and 504 (no answer in time); 2xx answers carry `RateLimit-Policy` and `RateLimit`;
- a route of a service (not the gateway's own): 502 (the service failed);
- a route whose path names a resource (`{id}`): 404; a route that a role may be refused: 403; a query parameter
  that may be repeated: 431 (the request line over its limit);
- a request with a body: 413 (too large) and 422 (invalid, or an `Idempotency-Key` reused with another body), 415
  where the body may come in several media types, and
  `Idempotency-Key` on a POST, with 409 for a duplicate;
- a PATCH or a transition (`POST .../transitions`): `If-Match`, 409 (not allowed in the state it is in) and 412
  (the version changed);
- a GET of one resource: `If-None-Match` and 304, `ETag` on its 200;
- a 201: `Location` and `ETag`; a list: `Link` (rel="next").

Problems are `application/problem+json` (RFC 9457) with the `Problem` schema.
"""

from __future__ import annotations

import json
from typing import Any

PROBLEM = "#/components/schemas/Problem"
_METHODS = ("get", "put", "post", "patch", "delete")

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "A problem detail (RFC 9457). `type` is a page that explains it; a 422 lists each invalid field "
                   "in `errors`.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "example": "/problems/invalid-input"},
        "title": {"type": "string", "example": "Invalid input"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599, "example": 422},
        "detail": {"type": "string", "example": "body.country: 'XX' is not an ISO 3166-1 alpha-2 country code"},
        "instance": {"type": "string", "format": "uri-reference"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {"description": "This request's id: the client's if it sent a valid one, else a new one. Quote "
                                    "it when reporting a problem.", "schema": {"type": "string"}},
    "RateLimit-Policy": {"description": "The caller's rate limit policy (draft-ietf-httpapi-ratelimit-headers): "
                                        "`\"<role>-<read|write>\";q=<requests>;w=<seconds>`.",
                         "schema": {"type": "string"}},
    "RateLimit": {"description": "Where the caller stands in it: `\"<policy>\";r=<left>;t=<seconds to reset>`.",
                  "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}},
    "ETag": {"description": "The resource's version, for `If-Match` and `If-None-Match`.",
             "schema": {"type": "string"}},
    "Location": {"description": "The created resource.", "schema": {"type": "string", "format": "uri-reference"}},
    "Link": {"description": "`<...>; rel=\"next\"` while there is a next page (RFC 8288).",
             "schema": {"type": "string"}},
}

PARAMETERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {"name": "X-Request-ID", "in": "header", "required": False,
                     "description": "An id for this request, echoed back and logged: kept when it is 1 to 128 "
                                    "letters, digits, `.`, `_`, `:` or `-`, else replaced by a new one (never "
                                    "refused).", "schema": {"type": "string"}},
    "Idempotency-Key": {"name": "Idempotency-Key", "in": "header", "required": False,
                        "description": "Makes a retried POST safe: the same key with the same body answers what "
                                       "the first answered (with `Idempotent-Replayed: true`); with another body, "
                                       "422. Kept 24 hours.",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255}},
    "If-Match": {"name": "If-Match", "in": "header", "required": False,
                 "description": "The `ETag` the change was based on: answered 412 if the resource changed since. "
                                "Without it, the change is applied to whatever version is there now.",
                 "schema": {"type": "string", "example": "\"3\""}},
    "If-None-Match": {"name": "If-None-Match", "in": "header", "required": False,
                      "description": "The `ETag` the client has: answered 304 with no body if it is still current.",
                      "schema": {"type": "string", "example": "\"3\""}},
}

_STATUS_TEXT = {
    "304": "Not modified: the client's copy (`If-None-Match`) is current.",
    "401": "The credentials are missing where required, or not valid.",
    "403": "The caller's role may not do this, or not to this resource.",
    "404": "No such resource, or not one the caller may see.",
    "409": "Not allowed in the state the resource is in, or a duplicate.",
    "412": "The resource changed since the `If-Match` version.",
    "413": "The body is too large.",
    "415": "The body's media type (`Content-Type`) is not one this operation reads.",
    "422": "The input is invalid: `errors` names each field.",
    "429": "The caller's rate limit is used up.",
    "431": "The request line and headers are larger than 16 KiB (a long repeated query parameter).",
    "502": "The service behind the gateway failed; nothing is known to have been done.",
    "503": "Overloaded or a dependency is down; nothing was done. Retry after `Retry-After`.",
    "504": "No answer in time; a write may or may not have been done (retry it with its `Idempotency-Key`).",
}


def _problem(status: str, headers: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"description": _STATUS_TEXT[status],
            "headers": {h: {"$ref": f"#/components/headers/{h}"} for h in ("X-Request-ID", *headers)},
            "content": {"application/problem+json": {"schema": {"$ref": PROBLEM}}}}


def _is_list(response: dict[str, Any], schemas: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    target = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema
    return "next_cursor" in target.get("properties", {})


def _repeated_query(param: dict[str, Any]) -> bool:
    """A query parameter that may be repeated (`?id=1&id=2`): its schema, or one of its `anyOf`, is an array."""
    schema = param.get("schema", {})
    return param.get("in") == "query" and any(s.get("type") == "array" for s in [schema, *schema.get("anyOf", [])])


def describe_http(doc: dict[str, Any], own_paths: set[str]) -> dict[str, Any]:
    """`doc` with the statuses, header parameters and response headers above on every operation (in place, and
    returned). `own_paths`: the gateway's own routes (no 502). What an operation already declares is kept."""
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    components["headers"] = HEADERS
    components["parameters"] = PARAMETERS
    for path, operations in doc.get("paths", {}).items():
        names_a_resource = "{" in path
        for method, op in operations.items():
            if method not in _METHODS:
                continue
            has_body = "requestBody" in op
            transition = method == "post" and path.endswith("/transitions")
            params = ["X-Request-ID"]
            statuses = ["401", "403", "429", "503", "504"]
            if path not in own_paths:
                statuses.append("502")
            if names_a_resource:
                statuses.append("404")
            if has_body:
                statuses += ["413", "422"]
                if len(op["requestBody"].get("content", {})) > 1:  # JSON alone is read whatever the type says
                    statuses.append("415")
            if method == "post":
                params.append("Idempotency-Key")
                statuses.append("409")
            if method == "patch" or transition:
                params.append("If-Match")
                statuses += ["409", "412"]
            single_get = method == "get" and names_a_resource
            if single_get:
                params.append("If-None-Match")
                statuses.append("304")
            if any(_repeated_query(p) for p in op.get("parameters", [])):
                statuses.append("431")  # a long list of repeated values can pass the request line's 16 KiB
            declared = {(p.get("name"), p.get("in")) for p in op.get("parameters", []) if "name" in p}
            op.setdefault("parameters", []).extend(
                {"$ref": f"#/components/parameters/{p}"} for p in params if (p, "header") not in declared)
            responses = op.setdefault("responses", {})
            for status in dict.fromkeys(statuses):
                if status == "304":
                    responses.setdefault(status, {"description": _STATUS_TEXT[status], "headers": {
                        "ETag": {"$ref": "#/components/headers/ETag"}}})
                elif status in ("429", "503"):
                    responses.setdefault(status, _problem(status, ("Retry-After", "RateLimit-Policy", "RateLimit")))
                else:
                    responses.setdefault(status, _problem(status))
            if "422" in responses:  # FastAPI's own 422 names its HTTPValidationError: ours answers a Problem
                responses["422"] = _problem("422")
            for status, response in responses.items():  # a problem a route declares itself, in words only
                if status[0] == "4" and "content" not in response and status in _STATUS_TEXT:
                    responses[status] = {**_problem(status), "description": response.get("description")
                                         or _STATUS_TEXT[status]}
            for status, response in responses.items():
                if not status.startswith("2"):
                    continue
                headers = ["X-Request-ID", "RateLimit-Policy", "RateLimit"]
                if status == "201":
                    headers += ["Location", "ETag"]
                elif single_get or method == "patch":
                    headers.append("ETag")
                if method == "get" and _is_list(response, schemas):
                    headers.append("Link")
                response.setdefault("headers", {}).update(
                    {h: {"$ref": f"#/components/headers/{h}"} for h in headers})
    # FastAPI's own validation error schemas, now that every 422 names the Problem, if nothing else uses them.
    for name in ("HTTPValidationError", "ValidationError"):  # HTTPValidationError first: it uses the other
        ref = f"#/components/schemas/{name}"
        users = [doc["paths"], *(s for k, s in schemas.items() if k != name)]
        if name in schemas and not any(ref in json.dumps(u) for u in users):
            del schemas[name]
    return doc
