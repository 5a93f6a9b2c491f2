"""The API description as integrators' tools read it: Spectral's `spectral:oas` ruleset finds nothing in it (no
error, no warning, no hint). Spectral is pinned in `tools/spectral` and installed by `make install` (npm)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.harness import ROOT, Stack

SPECTRAL = ROOT / "tools" / "spectral"


def _spectral(doc: dict, ruleset: str, tmp_path: Path) -> list[str]:
    """What Spectral finds in `doc` with `ruleset` (in tools/spectral), at any severity down to hints."""
    binary = SPECTRAL / "node_modules" / ".bin" / "spectral"
    assert binary.exists(), "Spectral is not installed: run `make install` (it runs `npm ci --prefix tools/spectral`)"
    path = tmp_path / "document.json"
    path.write_text(json.dumps(doc))
    run = subprocess.run([str(binary), "lint", str(path), "--ruleset", str(SPECTRAL / ruleset),
                          "--fail-severity", "hint", "--format", "json", "--quiet"],
                         capture_output=True, text=True, timeout=120)
    results = json.loads(run.stdout or "[]")
    found = [f"{r['code']} at {'.'.join(map(str, r['path']))}: {r['message']}" for r in results]
    return found or ([] if run.returncode == 0 else [run.stderr])


def test_spectral_finds_nothing_in_the_api_description(stack: Stack, anonymous, tmp_path: Path):
    doc = anonymous.get("/openapi.json")
    assert doc.status_code == 200 and "x-missing-services" not in doc.json()
    assert _spectral(doc.json(), ".spectral.yaml", tmp_path) == []


def test_the_events_are_described_in_asyncapi_and_as_webhooks(stack: Stack, anonymous, tmp_path: Path):
    """The Kafka topics as an AsyncAPI 3 document beside the API description (Spectral's `spectral:asyncapi`
    finds nothing in it), and the same events as the API description's `webhooks`: every published type in both."""
    from services.partnerships.domain.webhook import PUBLISHED_TYPES

    events = anonymous.get("/asyncapi.json")
    assert events.status_code == 200
    doc = events.json()
    assert doc["asyncapi"].startswith("3.") and _spectral(doc, ".spectral-asyncapi.yaml", tmp_path) == []
    assert {c["address"] for c in doc["channels"].values()} == {
        "partnerships.events", "training.events", "outreach.events", "publications.events"}
    assert {m["name"] for m in doc["components"]["messages"].values()} == PUBLISHED_TYPES
    api = anonymous.get("/openapi.json").json()
    delivery = api["webhooks"]["event"]["post"]
    mapping = delivery["requestBody"]["content"]["application/json"]["schema"]["discriminator"]["mapping"]
    assert set(mapping) == PUBLISHED_TYPES
    assert {p["name"] for p in delivery["parameters"]} == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_every_operation_documents_its_problems_and_headers(anonymous):
    """What the shared layers answer is in the description of every operation: the problem statuses (as
    `application/problem+json`), `X-Request-ID`, `Idempotency-Key` on POSTs, `If-Match` on changes, `ETag`,
    `Location` and `Link` where they come, and the rate limit fields. Schema names and titles are unique."""
    doc = anonymous.get("/openapi.json").json()
    problem = {"$ref": "#/components/schemas/Problem"}
    seen = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            seen += 1
            where = f"{method.upper()} {path}"
            responses, params = op["responses"], {p.get("$ref", "").rsplit("/", 1)[-1] for p in op["parameters"]}
            for status in ("401", "429", "503", "504"):
                assert responses[status]["content"]["application/problem+json"]["schema"] == problem, where
            assert "Retry-After" in responses["429"]["headers"] and "X-Request-ID" in params, where
            if "requestBody" in op:
                assert {"413", "422"} <= responses.keys(), where
                assert responses["422"]["content"]["application/problem+json"]["schema"] == problem, where
            if method == "post":
                assert "Idempotency-Key" in params, where
            if method == "patch" or path.endswith("/transitions"):
                assert "If-Match" in params and {"409", "412"} <= responses.keys(), where
            if "{" in path:
                assert "404" in responses, where
            success = [r for s, r in responses.items() if s.startswith("2")]
            assert success and all({"X-Request-ID", "RateLimit"} <= r["headers"].keys() for r in success), where
            if "201" in responses:
                assert "Location" in responses["201"]["headers"], where
    assert seen >= 80
    partners = doc["paths"]["/api/v1/partnerships/partners"]["get"]["responses"]["200"]["headers"]
    assert "Link" in partners
    schemas = doc["components"]["schemas"]
    titles = [s.get("title", name) for name, s in schemas.items()]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
    assert "HTTPValidationError" not in schemas
    # The aggregates are typed: the home screen by its own schema, the dashboard by each service's stats schema.
    home = doc["paths"]["/api/v1/mobile/home"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert home == {"$ref": "#/components/schemas/MobileHome"}
    summary = schemas["DashboardSummary"]["properties"]
    for service, stats in (("partnerships", "PartnershipStats"), ("training", "TrainingStats")):
        assert {"$ref": f"#/components/schemas/{stats}"} in summary[service]["anyOf"], summary[service]


def test_the_events_page_lists_every_published_type_as_the_contract_has_it():
    """docs/events.md is what the contract classes make (`python -m shared.contracts.catalog` rewrites it), and it
    lists every type a webhook subscription may name."""
    from services.partnerships.domain.webhook import PUBLISHED_TYPES
    from shared.contracts.catalog import DOCUMENT, catalog_markdown

    page = DOCUMENT.read_text()
    assert page == catalog_markdown(), "docs/events.md is out of date: run `python -m shared.contracts.catalog`"
    listed = set(re.findall(r"^### `([a-z_.]+)`$", page, re.M))
    assert listed == PUBLISHED_TYPES, sorted(listed ^ PUBLISHED_TYPES)


def test_every_request_body_has_an_example(anonymous):
    """A generator, Swagger UI's "Try it out" and a person reading the description start from an example: every
    JSON request body has one (on the body, on its schema, or on each schema it may be)."""
    doc = anonymous.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]

    def has_example(schema: dict) -> bool:
        if "$ref" in schema:
            return has_example(schemas[schema["$ref"].rsplit("/", 1)[-1]])
        if "oneOf" in schema:
            return all(has_example(s) for s in schema["oneOf"])
        return "examples" in schema or "example" in schema

    missing = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                if "json" in media and not ("example" in content or "examples" in content
                                            or has_example(content.get("schema", {}))):
                    missing.append(f"{method.upper()} {path} ({media})")
    assert missing == [], missing


def test_every_json_answer_has_an_example(anonymous):
    """Every operation's 2xx JSON answer has an example: a real answer recorded from the demo data
    (`python -m deploy.demo.examples`, gateway/api/response_examples.json), or the model's own where only a write
    gives it. Spectral (above) checks each against its schema, so a recorded example cannot drift from the API."""
    doc = anonymous.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    missing = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, response in op.get("responses", {}).items():
                content = response.get("content", {}).get("application/json")
                if not status.startswith("2") or content is None or "example" in content or "examples" in content:
                    continue
                name = content.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                if "examples" not in schemas.get(name, {}):
                    missing.append(f"{method.upper()} {path} {status} ({name or content.get('schema')})")
    assert missing == [], missing
