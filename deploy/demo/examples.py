"""Response examples for the API description, recorded from real answers: `python -m deploy.demo.examples`.

Run against a gateway with the demo data loaded (`make run`, then `make demo`). Every GET operation that answers
JSON is called once as an admin, its path parameters taken from the lists read before it (`{program_id}` from
`GET .../programs`). The first answer of each response schema, and a page's first item for the item's schema, is
kept in `gateway/api/response_examples.json`; the gateway puts each on its schema in the merged description
(`gateway/api/docs.py`), and `make test` has Spectral check every example against its schema. Answers that only a
write gives (a new key's secret, an import's report, a webhook delivery) are written by hand in the same file, and
kept when it is recorded again.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import httpx

OUT = Path(__file__).resolve().parents[2] / "gateway" / "api" / "response_examples.json"
_PARAM = re.compile(r"\{([^}]+)\}")


def _schema_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else None


def _json_schema_of(op: dict[str, Any]) -> str | None:
    for status, response in op.get("responses", {}).items():
        if status.startswith("2"):
            return _schema_name(response.get("content", {}).get("application/json", {}).get("schema", {}))
    return None


def _candidates(path: str, param: str, ids: dict[str, list[str]], seen: list[dict[str, Any]]) -> list[str]:
    """Values to try for `{param}`: the ids of the collection it follows (`programs/{program_id}`), or, for
    another name (`certificates/{code}`), the `<certificate>_<code>` field of an item read before."""
    collection = path.split("{" + param + "}")[0].rstrip("/").rsplit("/", 1)[-1]
    if param.endswith("id"):
        return ids.get(collection, [])
    field = f"{collection.removesuffix('s')}_{param}"
    return [item[field] for item in seen if item.get(field)][:20]


def record(gateway: str, admin_key: str, written: dict[str, Any]) -> dict[str, Any]:
    """{schema name: one real answer} for the JSON answers of the gateway's GET operations, beside the `written`
    examples of the answers no read gives (a recorded one replaces a written one)."""
    with httpx.Client(base_url=gateway, headers={"X-API-Key": admin_key}, timeout=30) as http:
        doc = http.get("/openapi.json").json()
        schemas = doc["components"]["schemas"]
        examples: dict[str, Any] = {}
        ids: dict[str, list[str]] = {}  # collection ("programs") -> the ids of its first items
        seen: list[dict[str, Any]] = []  # every item read
        pending = [(path, name) for path, ops in doc["paths"].items()
                   if "get" in ops and (name := _json_schema_of(ops["get"]))]
        while pending:
            left = []
            for path, name in pending:
                params = _PARAM.findall(path)
                choices = {p: _candidates(path, p, ids, seen) for p in params}
                if not all(choices.values()):
                    left.append((path, name))
                    continue
                tries = max((len(c) for c in choices.values()), default=1)
                for attempt in range(tries):  # the first item may have nothing under it: try the next ones
                    values = {p: c[min(attempt, len(c) - 1)] for p, c in choices.items()}
                    answer = http.get(path.format(**values), params={"limit": 20})
                    if answer.status_code != 200:
                        continue
                    body = answer.json()
                    items = body.get("items") if isinstance(body, dict) else None
                    if items == [] and attempt < tries - 1:
                        continue
                    examples.setdefault(name, {**body, "items": items[:1]} if items else body)  # a page: 1 item
                    item = _schema_name(schemas.get(name, {}).get("properties", {}).get("items", {}).get("items", {}))
                    if items and item:
                        examples.setdefault(item, items[0])
                        seen.extend(items)
                        if "id" in items[0]:
                            ids.setdefault(path.rstrip("/").rsplit("/", 1)[-1], [i["id"] for i in items])
                    break
            if len(left) == len(pending):
                break  # what is left names a collection no list gave an item of
            pending = left
        examples = {**written, **examples}
        _compose(schemas, examples)
        return dict(sorted(examples.items()))


def _compose(schemas: dict[str, Any], examples: dict[str, Any]) -> None:
    """Examples made of recorded ones: a page of an item that has one, an object whose fields all refer to schemas
    that have one (`CubOut`: `{"panda": ..., "loan": ...}`)."""
    for name, schema in schemas.items():
        if name in examples:
            continue
        fields = schema.get("properties", {})
        refs = {f: _schema_name(s) for f, s in fields.items()}
        item = _schema_name(fields.get("items", {}).get("items", {}))
        if name.startswith("Page_") and item in examples:
            examples[name] = {"next_cursor": None, "items": [examples[item]]}
        elif fields and all(r in examples for r in refs.values()):
            examples[name] = {f: examples[r] for f, r in refs.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.demo.examples", description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", default=f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}")
    parser.add_argument("--admin-key", default=os.environ.get("GATEWAY_ADMIN_API_KEY") or "dev-admin-key")
    args = parser.parse_args(argv)
    # Kept: the examples written by hand for answers that only a write gives (a key's secret, a delivery).
    examples = record(args.gateway, args.admin_key, json.loads(OUT.read_text()))
    OUT.write_text(json.dumps(examples, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(examples)} response examples written to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
