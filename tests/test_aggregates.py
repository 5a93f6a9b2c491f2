"""What the gateway answers from several services at once: the dashboard summary (partial when a service is
down), the mobile app's home (small, localized, with an ETag), and CORS for the dashboard's origin."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from tests.harness import CORS_ORIGIN, Stack, problem_of, wait_until


def test_the_dashboard_summary_has_every_service_and_names_a_missing_one(stack: Stack, keys, anonymous):
    with stack.client(keys["analyst"]) as analyst:
        summary = analyst.get("/api/v1/dashboard/summary").json()
        assert summary["missing"] == []
        assert {"partners", "agreements_by_state"} <= set(summary["partnerships"])
        assert "participants" in summary["training"] and "events_held" in summary["outreach"]
        assert summary["publications"] is not None
        stack.processes["outreach"].stop()
        try:
            partial = analyst.get("/api/v1/dashboard/summary")
            assert partial.status_code == 200
            assert partial.json()["missing"] == ["outreach"] and partial.json()["outreach"] is None
            assert partial.json()["training"] is not None
        finally:
            stack.restart("outreach")
    assert problem_of(anonymous.get("/api/v1/dashboard/summary"))["status"] == 401
    with stack.client(keys["member"]) as member:
        assert problem_of(member.get("/api/v1/dashboard/summary"))["status"] == 403


def test_the_mobile_home_is_small_localized_and_cacheable(stack: Stack, coordinator, anonymous):
    tag = uuid.uuid4().hex[:6]
    starts = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=2)
    event = coordinator.post("/api/v1/outreach/events", json={
        "title": {"en": f"Meet the pandas {tag}", "zh": f"认识大熊猫 {tag}"}, "kind": "lecture",
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=1)).isoformat(),
        "timezone": "Asia/Shanghai", "capacity": 50,
        "venue": {"name": "Base", "city": "Chengdu", "country": "CN"}}).json()
    coordinator.post(f"/api/v1/outreach/events/{event['id']}/transitions", json={"action": "schedule"})

    home = wait_until(lambda: (r := anonymous.get("/api/v1/mobile/home", headers={"Accept-Language": "zh-CN"}))
                      .status_code == 200 and any(e["id"] == event["id"] for e in r.json()["upcoming_events"])
                      and r, 10, what="the event on the home screen")
    assert len(home.content) < 20_000
    mine = next(e for e in home.json()["upcoming_events"] if e["id"] == event["id"])
    assert mine["title"] == f"认识大熊猫 {tag}"
    english = anonymous.get("/api/v1/mobile/home", headers={"Accept-Language": "fr, en;q=0.5"}).json()
    assert next(e for e in english["upcoming_events"] if e["id"] == event["id"])["title"] == f"Meet the pandas {tag}"
    etag = home.headers["etag"]
    again = anonymous.get("/api/v1/mobile/home", headers={"Accept-Language": "zh-CN", "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    assert home.json()["missing"] == []


def test_the_mobile_home_matches_languages_as_langcodes_does(stack: Stack, coordinator, anonymous):
    """zh-TW and zh-HK readers get Traditional Chinese where there is one, not the Simplified text; en-GB gets
    English; the answer says which languages it is in (Content-Language) and that it varies with Accept-Language."""
    tag = uuid.uuid4().hex[:6]
    titles = {"en": f"Panda night {tag}", "zh-Hans": f"熊猫之夜 {tag}", "zh-Hant": f"熊貓之夜 {tag}"}
    starts = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=20)  # first on the screen
    event = coordinator.post("/api/v1/outreach/events", json={
        "title": titles, "kind": "lecture", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=1)).isoformat(), "timezone": "Asia/Shanghai", "capacity": 50,
        "venue": {"name": "Base", "city": "Chengdu", "country": "CN"}}).json()
    coordinator.post(f"/api/v1/outreach/events/{event['id']}/transitions", json={"action": "schedule"})

    def title_for(accept_language: str) -> tuple[str, str]:
        r = wait_until(lambda: (r := anonymous.get("/api/v1/mobile/home", headers={"Accept-Language": accept_language}))
                       .status_code == 200 and any(e["id"] == event["id"] for e in r.json()["upcoming_events"])
                       and r, 10, what="the event on the home screen")
        assert "accept-language" in r.headers["vary"].lower()
        mine = next(e for e in r.json()["upcoming_events"] if e["id"] == event["id"])
        return mine["title"], r.headers["content-language"]

    for asked, expected in (("zh-TW", "zh-Hant"), ("zh-HK, en;q=0.5", "zh-Hant"), ("zh-CN", "zh-Hans"),
                            ("en-GB", "en"), ("fr;q=1, zh-Hant;q=0.4", "zh-Hant"), ("de", "en")):
        title, languages = title_for(asked)
        assert title == titles[expected], (asked, title)
        assert expected in [lang.strip() for lang in languages.split(",")], (asked, languages)


def test_cors_lets_the_dashboard_origin_in_and_no_other(anonymous):
    preflight = anonymous.options("/api/v1/training/programs", headers={
        "Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "X-API-Key, Idempotency-Key, Content-Type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == CORS_ORIGIN
    allowed = {h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert {"x-api-key", "idempotency-key"} <= allowed
    simple = anonymous.get("/api/v1/training/programs", headers={"Origin": CORS_ORIGIN})
    assert simple.headers["access-control-allow-origin"] == CORS_ORIGIN
    assert "etag" in simple.headers["access-control-expose-headers"].lower()
    stranger = anonymous.options("/api/v1/training/programs", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in stranger.headers
    assert json.loads(anonymous.get("/api/v1/training/programs", headers={"Origin": "https://evil.example"})
                      .content)["items"] is not None
