"""`make demo`: the demo dataset, loaded through the public API into a fresh suite of its own, has something of
every kind and every state, the dashboard summary shows all of it, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from deploy import demo
from tests.harness import ADMIN_KEY, running_stack, wait_until

KINDS = ("panda_loan", "research_cooperation", "training_cooperation", "framework", "cultural_exchange")


PANDAS = 42  # at scale 0.1


def test_the_demo_loads_every_kind_and_state_and_the_dashboard_shows_it(tmp_path: Path):
    with running_stack(tmp_path / "stack") as stack:
        lines: list[str] = []
        report = demo.load(stack.gateway_url, ADMIN_KEY, scale=0.1, out=lines.append)
        c = report.counts
        assert any(line.startswith("training: done") for line in lines), lines

        # What was made: at a tenth of the scale, still one of every kind and state.
        assert c["partners"]["total"] >= 25 and len(c["countries"]) >= 18 and c["partner_keys"]["total"] >= 1
        assert all(c["agreement_kinds"][kind] for kind in KINDS), c["agreement_kinds"]
        assert all(c["agreements"][s] for s in ("draft", "negotiating", "signed", "active", "terminated", "expiring"))
        # The studbook: the 12 named pandas and a generated population around them (deploy/demo/studbook.py).
        assert c["projects"]["total"] and c["pandas"]["total"] == PANDAS == 42
        assert c["loans"]["cubs born on loan"] and c["loans"]["returned"]
        assert {"published", "draft", "archived"} <= set(c["programs"])
        assert {"past", "current", "future"} <= set(c["cohorts"])
        assert c["enrollments"]["completed"] and c["enrollments"]["withdrawn"]
        assert c["certificates"]["total"] == c["enrollments"]["completed"]
        assert {"completed", "scheduled", "cancelled", "draft"} <= set(c["events"])
        assert len(c["event_kinds"]) == 9 and c["registrations"]["checked_in"] and c["attendance"]["total"]
        assert {"published", "retracted", "draft"} <= set(c["works"]) and len(c["work_types"]) == 9

        # The dashboard summary: every part answers, with the same figures.
        summary = report.summary
        assert summary is not None and summary["missing"] == []
        p, t, o, w = (summary[part] for part in ("partnerships", "training", "outreach", "publications"))
        assert p["partners"] == c["partners"]["total"] and len(p["partners_by_country"]) == len(c["countries"])
        assert p["agreements"] == c["agreements"]["total"]
        assert set(p["agreements_by_kind"]) == set(KINDS)
        assert {"draft", "negotiating", "signed", "active", "terminated"} <= set(p["agreements_by_state"])
        assert p["pandas"] == PANDAS and p["pandas_on_loan"] > 0
        assert t["participants"] > 0 and t["completions"] == t["certificates"] == c["enrollments"]["completed"]
        assert o["events_held"] == c["events"]["completed"] and o["attendance"] == c["attendance"]["total"] > 0
        assert w["works"] == c["works"]["total"]
        assert all(w["by_status"][s] == c["works"][s] for s in ("published", "retracted", "draft"))
        assert "partner institutions" in demo.summary_table(summary)

        with stack.client(ADMIN_KEY) as admin, stack.client() as anonymous:
            pandas = admin.get("/api/v1/partnerships/pandas", params={"limit": 50}).json()["items"]
            assert any(x["dam_id"] and x["sire_id"] for x in pandas)
            assert any(x["sire_origin"] == "multiple" for x in pandas) and any(x["death_date"] for x in pandas)
            assert any(x["birth_date_estimated"] and x["dam_origin"] == "wild" for x in pandas)
            figures = admin.get("/api/v1/partnerships/studbook/genetics").json()
            assert 0.5 < figures["gene_diversity"] < 1 and figures["founders_represented"] >= 4, figures
            loans = admin.get("/api/v1/partnerships/loans", params={"limit": 50}).json()["items"]
            assert any(loan["mother_loan_id"] for loan in loans)
            completed = admin.get("/api/v1/training/enrollments", params={"status": "completed", "limit": 1})
            code = completed.json()["items"][0]["certificate_code"]
            assert anonymous.get(f"/api/v1/training/certificates/{code}").status_code == 200
            home = anonymous.get("/api/v1/mobile/home").json()
            assert home["upcoming_events"] and home["new_works"] and home["open_programs"]

            # The agreement whose term ends today expires by itself the day after.
            tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
            stack.set_clock(f"{tomorrow.isoformat()}T00:00:05+00:00")
            try:
                wait_until(lambda: admin.get("/api/v1/partnerships/agreements",
                                             params={"state": "expired"}).json()["items"], 10,
                           what="the agreement ending today expired")
            finally:
                stack.real_clock()

            # A second run finds the demo there and stops without writing anything.
            before = len(admin.get("/api/v1/partnerships/partners", params={"limit": 200}).json()["items"])
            assert demo.main(["--gateway", stack.gateway_url, "--admin-key", ADMIN_KEY]) == 2
            assert len(admin.get("/api/v1/partnerships/partners", params={"limit": 200}).json()["items"]) == before


def test_the_readme_walkthrough_and_the_demo_do_not_clash():
    """The walkthroughs (curl and generated client) and `make demo` work in either order: the walkthroughs
    register no institution the demo loads (the demo refuses to load over one of its own, and a walkthrough would
    make a second of a name)."""
    import json
    import re

    from deploy.demo import dataset
    from tests.harness import ROOT

    readme = (ROOT / "README.md").read_text()
    bodies = re.findall(r"\$GW/partnerships/partners \\\s*\n\s*-d '(\{.*?\})'", readme)
    assert bodies, "the walkthrough registers a partner"
    demo_partners = {(p.name["en"], p.country) for p in dataset.PARTNERS}
    for body in bodies:
        partner = json.loads(body)
        assert (partner["name"]["en"], partner["country"]) not in demo_partners, partner
    # The same walkthrough with the generated client
    in_python = re.findall(r'PartnerInName\.from_dict\(\{"en": "([^"]+)".*?country="([A-Z]{2})"', readme, re.S)
    assert in_python, "the client walkthrough registers a partner"
    for partner in in_python:
        assert partner not in demo_partners, partner
