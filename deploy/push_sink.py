"""A local stand-in for Firebase Cloud Messaging's HTTP v1 API, for `make run` and the tests: it answers
`POST /v1/projects/{project}/messages:send` as FCM does (`{"name": "projects/.../messages/<id>"}`) and keeps each
message as a JSON file (`var/push/*.json`), logging one line per message.

    python -m deploy.push_sink [--host 127.0.0.1] [--port 1026] [--dir var/push]

A token that starts with `gone-` is answered 404 `UNREGISTERED`, as FCM answers for an app that was uninstalled.
It also stands in for Google's OAuth 2.0 token endpoint (`POST /token`, the JWT-bearer grant of RFC 7523 that a
service account's key file names as its `token_uri`), so the path from a key file to a bearer token runs too: each
push's file records the `Authorization` it came with.
"""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path

from aiohttp import web

from deploy.sink_folder import SinkFolder, sink_options

log = logging.getLogger("push-sink")


def make_app(folder: Path) -> web.Application:
    files = SinkFolder(folder, "json")
    tokens = itertools.count(1)

    async def send(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            token = body["message"]["token"]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}, status=400)
        if token.startswith("gone-"):
            return web.json_response({"error": {"code": 404, "status": "NOT_FOUND", "details": [
                {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]}},
                status=404)
        body["authorization"] = request.headers.get("Authorization")
        n, _ = files.keep(json.dumps(body, ensure_ascii=False, indent=1).encode())
        log.info("push to …%s: %s", token[-8:], body["message"].get("notification", {}).get("title", ""))
        return web.json_response({"name": f"projects/{request.match_info['project']}/messages/{n}"})

    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" or not form.get("assertion"):
            return web.json_response({"error": "invalid_grant"}, status=400)
        return web.json_response({"access_token": f"sink-access-token-{next(tokens)}", "expires_in": 3600,
                                  "token_type": "Bearer"})

    app = web.Application()
    app.router.add_post("/v1/projects/{project}/messages:send", send)
    app.router.add_post("/token", token)
    return app


def main() -> None:
    args = sink_options(__doc__, port=1026, folder="push")
    log.info("push sink on %s:%s, keeping messages in %s", args.host, args.port, args.dir)
    web.run_app(make_app(args.dir), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
