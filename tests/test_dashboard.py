"""The operations dashboard at `/dashboard/`, in a real browser (Debian's Chromium driven by Selenium) that can
reach nothing but 127.0.0.1, over a suite of its own with the demo dataset loaded: every panel draws a chart and
a table whose figures are the API's, a partner sees its own institution only, an anonymous visitor the sign-in
form only, and a service that is down greys out its own panels while the others still draw."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from deploy import demo
from deploy.browser import chromium, wait_for_state
from tests.harness import ADMIN_KEY, Stack, running_stack, wait_until

STAFF_PANELS = {
    "partners-by-country", "partners-by-kind", "agreements-by-state", "agreements-by-kind", "agreements-expiring",
    "pandas", "pandas-where", "loans-ending", "cubs-abroad", "impact-by-partner", "impact-by-agreement",
    "training-by-year", "training-by-country", "cohort-seats", "outreach-by-month", "outreach-by-kind",
    "outreach-upcoming", "works-by-year", "works-by-type", "open-access", "works-by-area",
}
PARTNER_PANELS = {
    "impact", "your-agreements", "agreements-expiring", "impact-by-agreement", "training-by-year",
    "training-by-country", "outreach-by-month", "outreach-upcoming", "works-by-year", "works-by-type", "open-access",
}
IMPACT = ("works_published", "trainees_completed", "certificates_issued", "outreach_events_held",
          "outreach_attendance")


@pytest.fixture(scope="module")
def demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("dashboard")) as stack:
        demo.load(stack.gateway_url, ADMIN_KEY, scale=0.1)
        yield stack


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


def open_dashboard(stack: Stack, browser: WebDriver, credential: str | None = None) -> None:
    """A fresh tab's view of the page: signed out, or signed in by the `#token=` fragment."""
    browser.get(f"{stack.gateway_url}/dashboard/")
    browser.execute_script("sessionStorage.clear()")
    browser.get(f"{stack.gateway_url}/dashboard/" + (f"#token={credential}" if credential else ""))
    browser.refresh()


def panels(browser: WebDriver) -> dict[str, dict[str, Any]]:
    """Each panel as the page shows it: its state, whether a chart was drawn, its table's rows by key."""
    return browser.execute_script("""
        const out = {};
        for (const p of document.querySelectorAll("section.panel")) {
          out[p.dataset.panel] = {
            state: p.dataset.state,
            chart: p.querySelector(".chart canvas") !== null,
            columns: [...p.querySelectorAll("thead th")].map((th) => th.textContent),
            rows: Object.fromEntries([...p.querySelectorAll("tbody tr")].map(
              (tr) => [tr.dataset.key, [...tr.children].slice(1).map((c) => c.textContent)])),
            csv: p.querySelector("a.csv") && p.querySelector("a.csv").href,
          };
        }
        return out;""")


def figures(rows: dict[str, list[str]], column: int = 0) -> dict[str, int]:
    return {key: int(float(cells[column])) for key, cells in rows.items()}


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def test_an_anonymous_visitor_sees_only_the_sign_in_form(demo_stack: Stack, browser: WebDriver):
    open_dashboard(demo_stack, browser)
    wait_for_state(browser, "signed-out")
    assert browser.find_element(By.ID, "sign-in").is_displayed()
    assert panels(browser) == {}
    assert not browser.find_element(By.ID, "panels").is_displayed()

    # A key that is not one is refused, and the form stays.
    browser.find_element(By.ID, "credential").send_keys("not-a-key")
    browser.find_element(By.CSS_SELECTOR, "#sign-in button").click()
    wait_until(lambda: browser.find_element(By.ID, "sign-in-error").is_displayed(), 10, what="the refusal shown")
    assert panels(browser) == {}


def test_staff_see_every_panel_with_the_apis_figures_offline(demo_stack: Stack, browser: WebDriver,
                                                             tmp_path: Path):
    open_dashboard(demo_stack, browser)
    wait_for_state(browser, "signed-out")
    # Signing in through the form, as a person does.
    browser.find_element(By.ID, "credential").send_keys(ADMIN_KEY)
    browser.find_element(By.CSS_SELECTOR, "#sign-in button").click()
    wait_for_state(browser, "complete")
    assert not browser.find_element(By.ID, "sign-in").is_displayed()
    shown = panels(browser)
    assert set(shown) == STAFF_PANELS
    for name, panel in shown.items():
        assert panel["state"] == "ready" and panel["chart"] and panel["csv"], (name, panel)

    with demo_stack.client(ADMIN_KEY) as admin:
        summary = admin.get("/api/v1/dashboard/summary").json()
    p, t, o, w = (summary[s] for s in ("partnerships", "training", "outreach", "publications"))
    assert figures(shown["partners-by-country"]["rows"]) == p["partners_by_country"]
    assert figures(shown["partners-by-kind"]["rows"]) == p["partners_by_kind"]
    assert figures(shown["agreements-by-state"]["rows"]) == p["agreements_by_state"]
    assert figures(shown["agreements-by-kind"]["rows"]) == p["agreements_by_kind"]
    assert figures(shown["pandas"]["rows"]) == {"on_loan": p["pandas_on_loan"],
                                                 "not_on_loan": p["pandas"] - p["pandas_on_loan"]}
    assert figures(shown["training-by-year"]["rows"]) == {str(y["year"]): y["participants"] for y in t["by_year"]}
    assert figures(shown["training-by-year"]["rows"], 1) == {str(y["year"]): y["completions"] for y in t["by_year"]}
    assert figures(shown["training-by-country"]["rows"]) == {c["country"]: c["participants"] for c in t["by_country"]}
    assert figures(shown["outreach-by-month"]["rows"]) == {m["month"]: m["events_held"] for m in o["by_month"]}
    assert figures(shown["outreach-by-month"]["rows"], 1) == {m["month"]: m["attendance"] for m in o["by_month"]}
    assert figures(shown["outreach-by-kind"]["rows"], 1) == {k["kind"]: k["attendance"] for k in o["by_kind"]}
    assert figures(shown["works-by-year"]["rows"]) == w["by_year"]
    assert figures(shown["works-by-type"]["rows"]) == nonzero(w["by_type"])
    assert figures(shown["works-by-area"]["rows"]) == nonzero(w["by_area"])
    assert figures(shown["open-access"]["rows"]) == {"open_access": w["open_access"]["works"],
                                                      "closed": w["works"] - w["open_access"]["works"]}
    # The lists: the next 30 days' events, the active agreements whose term ends in the next 90 days.
    today = dt.datetime.now(dt.UTC).date()
    with demo_stack.client(ADMIN_KEY) as admin:
        coming = admin.get("/api/v1/outreach/events", params={
            "status": "scheduled", "from": today.isoformat(), "to": (today + dt.timedelta(days=30)).isoformat(),
            "limit": 100}).json()["items"]
        active = admin.get("/api/v1/partnerships/agreements", params={"state": "active", "limit": 100}).json()
    assert figures(shown["outreach-upcoming"]["rows"], 1) == {e["id"]: e["places_left"] for e in coming}
    ending = {a["id"]: [a["effective_until"]] for a in active["items"]
              if today.isoformat() <= a["effective_until"] <= (today + dt.timedelta(days=90)).isoformat()}
    assert shown["agreements-expiring"]["rows"] == ending

    # The impact ledger per partner and per agreement; seats and waitlists per cohort; where each panda is.
    def ledger(rows: list[dict[str, Any]], id_field: str) -> dict[str, list[str]]:
        return {row[id_field]: [str(row[k]) for k in IMPACT] for row in rows}
    assert shown["impact-by-partner"]["rows"] == ledger(p["impact_by_partner"], "partner_id")
    assert shown["impact-by-agreement"]["rows"] == ledger(p["impact_by_agreement"], "agreement_id")
    with demo_stack.client(ADMIN_KEY) as admin:
        programs = admin.get("/api/v1/training/programs", params={"limit": 100}).json()["items"]
        cohorts = [c for program in programs for c in admin.get(
            f"/api/v1/training/programs/{program['id']}/cohorts", params={"limit": 100}).json()["items"]]
        loans = admin.get("/api/v1/partnerships/loans", params={"limit": 100}).json()["items"]
        pandas = admin.get("/api/v1/partnerships/pandas", params={"limit": 100}).json()["items"]
    assert shown["cohort-seats"]["rows"] == {
        c["id"]: [str(c["capacity"]), str(c["seats_taken"]), str(c["waitlist_length"])]
        for c in cohorts if c["ends_on"] >= today.isoformat()}
    on_loan = {loan["panda_id"]: loan["planned_end_date"] for loan in loans if loan["state"] == "active"}
    assert {k: cells[1] for k, cells in shown["pandas-where"]["rows"].items()} == {
        x["id"]: on_loan.get(x["id"], "") for x in pandas}
    assert set(shown["cubs-abroad"]["rows"]) == {loan["panda_id"] for loan in loans if loan["mother_loan_id"]}

    # Nothing came from anywhere but the gateway (and the browser could reach nothing else).
    resources = browser.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert resources and all(url.startswith(demo_stack.gateway_url) for url in resources), resources

    # The CSV download is the table's figures.
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.execute_script("document.querySelector('[data-panel=works-by-year] a.csv').click()")
    saved = tmp_path / "works-by-year.csv"
    wait_until(saved.exists, 10, what="the CSV downloaded")
    assert saved.read_bytes().startswith(b"\xef\xbb\xbf"), "a byte order mark: spreadsheets read it as UTF-8"
    table = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert table[0] == shown["works-by-year"]["columns"]
    assert {row[0]: int(row[1]) for row in table[1:]} == w["by_year"]


def test_the_page_speaks_chinese_with_the_same_figures(demo_stack: Stack, browser: WebDriver):
    open_dashboard(demo_stack, browser, ADMIN_KEY)
    wait_for_state(browser, "complete")
    english = panels(browser)
    browser.execute_script("const s = document.getElementById('language'); s.value = 'zh';"
                           "s.dispatchEvent(new Event('change'));")
    wait_until(lambda: browser.execute_script("return document.documentElement.lang") == "zh-Hans", 10,
               what="the page in Chinese")
    wait_for_state(browser, "complete")
    chinese = panels(browser)
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == "大熊猫合作数据看板"
    assert chinese["works-by-year"]["columns"] == ["年份", "成果"]
    def numbers(rows: dict[str, list[str]]) -> dict[str, list[str]]:  # figures and dates, not the words
        return {key: [c for c in cells if re.fullmatch(r"[0-9.:T-]*", c)] for key, cells in rows.items()}
    for name in english:
        assert numbers(chinese[name]["rows"]) == numbers(english[name]["rows"]), name
    cn = browser.execute_script(
        "return document.querySelector('[data-panel=partners-by-country] tr[data-key=CN] th')")
    if cn is not None:
        assert cn.text == "中国"
    # Kinds and states in the page's language too, not the API's names (the rows keep those as their keys).
    zoo = browser.execute_script(
        "return document.querySelector('[data-panel=partners-by-kind] tr[data-key=zoo] th')")
    assert zoo is not None and zoo.text == "动物园"
    browser.execute_script("sessionStorage.clear()")


def test_a_partner_sees_its_own_institution_only(demo_stack: Stack, browser: WebDriver):
    with demo_stack.client(ADMIN_KEY) as admin:
        trained = admin.get("/api/v1/training/stats").json()["by_partner"]
        partner_id = max(trained, key=lambda p: p["participants"])["partner_id"]
    key = demo_stack.issue_key("partner", partner_id=partner_id)["key"]
    with demo_stack.client(key) as partner:
        own_training = partner.get("/api/v1/training/stats").json()
        own_works = partner.get("/api/v1/publications/stats", params={"partner_id": partner_id}).json()
        own_impact = partner.get(f"/api/v1/partnerships/partners/{partner_id}/impact").json()
        assert partner.get("/api/v1/dashboard/summary").status_code == 403
    with demo_stack.client(ADMIN_KEY) as admin:
        everyone = admin.get("/api/v1/training/stats").json()
    assert own_training["participants"] < everyone["participants"], "the partner's own figures are a part"

    open_dashboard(demo_stack, browser, key)
    wait_for_state(browser, "complete")
    assert browser.execute_script("return location.hash") == "", "the token leaves the address bar"
    assert browser.execute_script("return document.body.dataset.role") == "partner"
    shown = panels(browser)
    assert set(shown) == PARTNER_PANELS
    for name, panel in shown.items():
        assert panel["state"] == "ready" and panel["chart"], (name, panel)
    assert figures(shown["training-by-year"]["rows"]) == {str(y["year"]): y["participants"]
                                                          for y in own_training["by_year"]}
    assert figures(shown["training-by-country"]["rows"]) == {c["country"]: c["participants"]
                                                             for c in own_training["by_country"]}
    assert figures(shown["works-by-year"]["rows"]) == own_works["by_year"]
    assert figures(shown["impact"]["rows"]) == {k: v for k, v in own_impact.items() if k != "partner_id"}
    with demo_stack.client(key) as partner:
        own_agreements = partner.get("/api/v1/partnerships/agreements",
                                     params={"partner_id": partner_id, "limit": 100}).json()["items"]
        assert own_agreements and all(partner_id in a["partner_ids"] for a in own_agreements)
        assert {key: [state.lower(), ends] for key, (state, ends) in shown["your-agreements"]["rows"].items()} == {
            a["id"]: [a["state"], a["effective_until"]] for a in own_agreements}
        for agreement in own_agreements:
            impact = partner.get(f"/api/v1/partnerships/agreements/{agreement['id']}/impact").json()
            assert shown["impact-by-agreement"]["rows"][agreement["id"]] == [str(impact[k]) for k in IMPACT]
    browser.execute_script("sessionStorage.clear()")


def test_with_publications_down_its_panels_say_unavailable_and_the_others_draw(demo_stack: Stack,
                                                                               browser: WebDriver):
    demo_stack.processes["publications"].stop()
    try:
        open_dashboard(demo_stack, browser, ADMIN_KEY)
        wait_for_state(browser, "complete", timeout=60)
        shown = panels(browser)
        assert set(shown) == STAFF_PANELS
        for name, panel in shown.items():
            if name in {"works-by-year", "works-by-type", "open-access", "works-by-area"}:
                assert panel["state"] == "unavailable" and not panel["chart"], (name, panel)
                text = browser.find_element(By.CSS_SELECTOR, f"[data-panel={name}] .status").text
                assert "unavailable" in text, text
            else:
                assert panel["state"] == "ready" and panel["chart"], (name, panel)
    finally:
        browser.execute_script("sessionStorage.clear()")
        demo_stack.restart("publications")


def test_the_dashboard_serves_its_assets_itself(demo_stack: Stack):
    with demo_stack.client() as anonymous:
        page = anonymous.get("/dashboard/")
        assert page.status_code == 200 and "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert anonymous.get("/dashboard", follow_redirects=False).headers["Location"] == "/dashboard/"
        for asset in ("dashboard.js", "dashboard.css", "vendor/echarts.min.js", "vendor/topojson-client.min.js",
                      "vendor/countries-110m.json"):
            assert anonymous.get(f"/dashboard/assets/{asset}").status_code == 200, asset
        names = anonymous.get("/dashboard/countries.json").json()
        assert names["CN"] == {"numeric": "156", "en": "China", "zh": "中国"}
        assert anonymous.get("/api/v1/me").json() == {"role": "anonymous", "partner_id": None, "via": "anonymous"}
