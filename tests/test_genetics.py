"""The studbook's genetics through the gateway: published pedigrees reproduced exactly (../shared/reference/
pedigrees.md: Mrode 2005 Table 2.1, kinship2's `ped2`, Lacy 1989), unknown, wild and multiple parents, birth
dates out of order, a parent cycle refused, a birth at a partner zoo followed through its event (once), mates
ranked with the transfer they need, and who may read what."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from tests.harness import Stack, problem_of
from tests.test_pandas_loans import API, PANDAS, _ok, new_agreement, studbook

STUDBOOK = f"{API}/studbook/genetics"
PAIRINGS = f"{API}/pairings/evaluate"


def register(c: httpx.Client, sex: str, born: str, **extra: Any) -> str:
    body = {"studbook_number": studbook(), "name": {"en": "P"}, "sex": sex, "birth_date": born} | extra
    return _ok(c.post(PANDAS, json=body), 201)["id"]


def pedigree(c: httpx.Client, rows: list[tuple[str, str | None, str | None, str]], founders: str = "unknown",
             dead: tuple[str, ...] = ()) -> dict[str, str]:
    """Register a published pedigree: (name, sire, dam, sex) rows, parents before offspring; a missing parent is
    `founders` (unknown or wild). Births a year apart in row order."""
    ids: dict[str, str] = {}
    for k, (name, sire, dam, sex) in enumerate(rows):
        extra: dict[str, Any] = {}
        for role, parent in (("sire", sire), ("dam", dam)):
            if parent:
                extra[f"{role}_id"] = ids[parent]
            else:
                extra[f"{role}_origin"] = founders
        if name in dead:
            extra["death_date"] = f"{2001 + k}-06-01"
        ids[name] = register(c, sex, f"{2000 + k}-03-01", **extra)
    return ids


def genetics_of(c: httpx.Client, panda_id: str) -> dict[str, Any]:
    return _ok(c.get(f"{PANDAS}/{panda_id}/genetics"))


def kinship(c: httpx.Client, sire: str, dam: str) -> float:
    """f(sire, dam), read as the inbreeding of their offspring."""
    return _ok(c.post(PAIRINGS, json={"sire_id": sire, "dam_id": dam}))["offspring_inbreeding"]


def test_mrode_table_2_1(coordinator: httpx.Client):
    """Mrode (2005) Table 2.1: F5 = F6 = 0.125; the relationships A = 2f as published."""
    p = pedigree(coordinator, [("1", None, None, "male"), ("2", None, None, "female"), ("3", "1", "2", "female"),
                               ("4", "1", None, "male"), ("5", "4", "3", "male"), ("6", "5", "2", "female")])
    assert [genetics_of(coordinator, p[a])["inbreeding"] for a in "123456"] == [0, 0, 0, 0, 0.125, 0.125]
    for sire, dam, a in (("1", "2", 0), ("1", "3", .5), ("1", "6", .25), ("4", "3", .25), ("4", "2", 0),
                         ("4", "6", .3125), ("5", "3", .625), ("5", "6", .6875), ("5", "2", .25)):
        assert kinship(coordinator, p[sire], p[dam]) == a / 2, (sire, dam)


def test_kinship2_ped2(coordinator: httpx.Client):
    """kinship2's `ped2`: F10 = 0.0625 and the listed kinships."""
    p = pedigree(coordinator, [("1", None, None, "male"), ("2", None, None, "female"), ("3", "1", "2", "male"),
                               ("4", "1", "2", "female"), ("5", None, None, "female"), ("6", None, None, "male"),
                               ("7", "3", "5", "female"), ("8", "6", "4", "male"), ("9", "6", "4", "male"),
                               ("10", "8", "7", "female")])
    assert genetics_of(coordinator, p["10"])["inbreeding"] == 0.0625
    for sire, dam, f in (("3", "4", .25), ("8", "7", .0625), ("3", "10", .1875), ("1", "10", .125),
                         ("9", "10", .15625), ("8", "10", .28125)):
        assert kinship(coordinator, p[sire], p[dam]) == pytest.approx(f, abs=1e-6), (sire, dam)
    assert kinship(coordinator, p["9"], p["7"]) == 0.0625  # f(7, 9) = f(7, 8): 8 and 9 are full sibs


def test_lacy_1989_founder_equivalents(coordinator: httpx.Client, keys: dict[str, str], stack: Stack):
    """Lacy (1989): living C, D, F, G; founder contributions A .375, B .375, E .25; FE 2.909; the MKs; GD .71875;
    FGE 1.778. The founders are wild-born and dead."""
    p = pedigree(coordinator, [("A", None, None, "male"), ("B", None, None, "female"), ("C", "A", "B", "female"),
                               ("D", "A", "B", "male"), ("E", None, None, "female"), ("F", "D", "E", "male"),
                               ("G", "D", "E", "female")], founders="wild", dead=("A", "B", "E"))
    group = [p[x] for x in "CDFG"]
    with stack.client(keys["analyst"]) as analyst:
        f = _ok(analyst.get(STUDBOOK, params={"population": group}))
    assert f["population_size"] == 4 and f["founders_represented"] == 3
    assert {s["founder_id"]: s["share"] for s in f["founder_contributions"]} == {p["A"]: .375, p["B"]: .375,
                                                                               p["E"]: .25}
    assert round(f["founder_equivalents"], 3) == 2.909
    assert f["gene_diversity"] == 0.71875 and round(f["founder_genome_equivalents"], 3) == 1.778
    assert f["unknown_ancestry"] == 0
    mks = {m["panda_id"]: (m["mean_kinship"], m["rank"]) for m in f["mean_kinships"]}
    assert mks == {p["C"]: (.25, 1), p["F"]: (.28125, 2), p["G"]: (.28125, 2), p["D"]: (.3125, 4)}
    # A living animal's own founder contributions: F is half D (A and B) and half E.
    own = genetics_of(coordinator, p["F"])
    assert {s["founder_id"]: s["share"] for s in own["founder_contributions"]} == {p["A"]: .25, p["B"]: .25,
                                                                                 p["E"]: .5}
    assert genetics_of(coordinator, p["A"])["in_population"] is False


def test_unknown_wild_and_multiple_parents(coordinator: httpx.Client):
    w1, w2 = register(coordinator, "male", "2000-01-01", sire_origin="wild", dam_origin="wild"), \
        register(coordinator, "female", "2000-01-01", sire_origin="wild", dam_origin="wild")
    x = register(coordinator, "male", "2001-01-01", sire_origin="wild", dam_origin="wild")
    unknown = register(coordinator, "female", "2005-01-01")  # both parents unknown: UNK, the default
    dam = register(coordinator, "female", "2006-01-01", sire_id=w1, dam_id=w2)
    half = register(coordinator, "male", "2010-01-01", dam_id=dam)  # one parent known, the other unknown

    wild = genetics_of(coordinator, w1)
    assert ([s["founder_id"] for s in wild["founder_contributions"]], wild["unknown_ancestry"]) == ([w1], 0)
    g = genetics_of(coordinator, unknown)
    assert (g["founder_contributions"], g["unknown_ancestry"], g["inbreeding"]) == ([], 1, 0)
    g = genetics_of(coordinator, half)
    assert {s["founder_id"]: s["share"] for s in g["founder_contributions"]} == {w1: .25, w2: .25}
    assert g["unknown_ancestry"] == .5 and kinship(coordinator, half, dam) == .25

    # A MULT sire: the probability-weighted parent. f(w1, dam) = .25 (father and daughter), f(x, dam) = 0.
    body = {"sire_origin": "multiple", "dam_id": dam,
            "possible_sires": [{"panda_id": w1, "probability": .75}, {"panda_id": x, "probability": .25}]}
    cub = _ok(coordinator.post(PANDAS, json={"studbook_number": studbook(), "name": {"en": "M"}, "sex": "female",
                                             "birth_date": "2012-01-01"} | body), 201)
    assert (cub["sire_origin"], cub["sire_id"], len(cub["possible_sires"])) == ("multiple", None, 2)
    g = genetics_of(coordinator, cub["id"])
    assert g["inbreeding"] == pytest.approx(.75 * .25, abs=1e-6)
    shares = {s["founder_id"]: s["share"] for s in g["founder_contributions"]}
    assert shares == pytest.approx({w1: .25 + .375, w2: .25, x: .125}, abs=1e-6)

    base = {"name": {"en": "X"}, "sex": "female", "birth_date": "2013-01-01", "dam_id": dam}
    for wrong, loc in (({"sire_origin": "multiple", "possible_sires": [{"panda_id": w1, "probability": .5},
                                                                        {"panda_id": x, "probability": .4}]},
                        "possible_sires"),
                       ({"sire_origin": "multiple", "possible_sires": [{"panda_id": w1, "probability": .5},
                                                                        {"panda_id": w2, "probability": .5}]},
                        "possible_sires"),  # a female sire
                       ({"sire_origin": "multiple"}, "possible_sires"),
                       ({"sire_id": w1, "sire_origin": "wild"}, "sire_id"),
                       ({"dam_origin": "multiple"}, "dam_origin")):
        r = coordinator.post(PANDAS, json=base | {"studbook_number": studbook()} | wrong)
        assert r.status_code == 422, r.text
        assert problem_of(r)["errors"][0]["loc"][:2] == ["body", loc], (wrong, r.text)


def test_birth_dates_out_of_order_and_a_cycle_refused(coordinator: httpx.Client):
    """Parents come before offspring in the pedigree, not by birth date: an estimated date may put a parent's
    birth after its offspring's. A parent that would make a panda its own ancestor is refused, changing nothing."""
    old = register(coordinator, "male", "2016-01-01", birth_date_estimated=True, sire_origin="wild",
                   dam_origin="wild")
    mother = register(coordinator, "female", "2008-01-01", sire_origin="wild", dam_origin="wild")
    young = register(coordinator, "female", "2012-05-01", sire_id=old, dam_id=mother)  # its sire "born" later
    r = coordinator.post(PANDAS, json={"studbook_number": studbook(), "name": {"en": "Y"}, "sex": "female",
                                       "birth_date": "2012-05-01", "sire_id": mother})
    assert r.status_code == 422
    assert kinship(coordinator, old, young) == .25  # parent and offspring
    assert genetics_of(coordinator, young)["inbreeding"] == 0

    son = register(coordinator, "male", "2018-01-01", sire_id=old, dam_id=young)
    assert genetics_of(coordinator, son)["inbreeding"] == .25
    before = _ok(coordinator.get(f"{PANDAS}/{old}"))
    r = coordinator.patch(f"{PANDAS}/{old}", json={"sire_id": son}, headers={"If-Match": f'"{before["version"]}"'})
    assert r.status_code == 422, r.text
    assert "cycle" in problem_of(r)["detail"] and old in problem_of(r)["detail"] and son in problem_of(r)["detail"]
    assert _ok(coordinator.get(f"{PANDAS}/{old}")) == before

    # A parent corrected: the offspring's figures follow through the event (the whole matrix is recomputed, in
    # the pedigree's order: the sire "born" in 2016 before its daughter of 2012).
    r = coordinator.patch(f"{PANDAS}/{son}", json={"dam_origin": "unknown"})
    assert (_ok(r)["dam_id"], _ok(r)["dam_origin"], _ok(r)["version"]) == (None, "unknown", 2)
    deadline = time.monotonic() + 30
    while genetics_of(coordinator, son)["inbreeding"] != 0:
        assert time.monotonic() < deadline, "the correction never reached the figures"
    assert kinship(coordinator, old, young) == .25 and genetics_of(coordinator, son)["unknown_ancestry"] == .5


async def studbook_updates(bootstrap: str, until: set[str], timeout: float = 30) -> list[dict[str, Any]]:
    """Every `partnerships.studbook.updated` event from the start of the topic until one caused by each panda of
    `until` has been read."""
    consumer = AIOKafkaConsumer("partnerships.events", bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"test-{uuid.uuid4().hex}", enable_auto_commit=False)
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not until <= {e["data"]["panda_id"] for e in found}:
            assert loop.time() < deadline, f"no studbook.updated for {until - {e['data']['panda_id'] for e in found}}"
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                for record in batch:
                    try:
                        event = json.loads(record.value)
                    except ValueError:
                        continue  # other tests put poison messages on this topic on purpose
                    if isinstance(event, dict) and event.get("type") == "partnerships.studbook.updated":
                        found.append(event)
        return found
    finally:
        await consumer.stop()


def _partner(c: httpx.Client, name: str, country: str) -> str:
    return _ok(c.post(f"{API}/partners", json={"name": {"en": name}, "kind": "zoo", "country": country}), 201)["id"]


def _lend(c: httpx.Client, panda_id: str, agreement: str, host: str) -> dict[str, Any]:
    return _ok(c.post(f"{API}/loans", json={"panda_id": panda_id, "agreement_id": agreement, "host_partner_id": host,
                                           "start_date": "2024-06-01", "planned_end_date": "2034-06-01"}), 201)


def test_a_birth_at_a_partner_zoo_updates_the_figures_through_its_event_once(stack: Stack, coordinator, keys):
    zoo = _partner(coordinator, f"Zoo {uuid.uuid4().hex[:6]}", "AT")
    agreement = new_agreement(coordinator, [zoo])
    sire = register(coordinator, "male", "2010-01-01", sire_origin="wild", dam_origin="wild")
    mother = register(coordinator, "female", "2012-01-01", sire_origin="wild", dam_origin="wild")
    _lend(coordinator, sire, agreement, zoo)
    loan = _lend(coordinator, mother, agreement, zoo)
    before = _ok(coordinator.get(STUDBOOK))

    born = _ok(coordinator.post(f"{API}/loans/{loan['id']}/cubs", json={
        "studbook_number": studbook(), "name": {"en": "Cub"}, "sex": "female", "birth_date": "2025-08-15",
        "sire_id": sire}), 201)
    cub = born["panda"]["id"]
    marker = register(coordinator, "male", "2020-01-01", sire_origin="wild", dam_origin="wild")
    updates = asyncio.run(studbook_updates(stack.bootstrap, {cub, marker}))
    of_cub = [e for e in updates if e["data"]["panda_id"] == cub]
    # Once: the cub's birth and its own loan's start are two events (on two partitions, in either order); the
    # first one handled changes the figures, the second finds nothing left to change.
    assert len(of_cub) == 1, of_cub
    assert of_cub[0]["data"]["cause"] in ("partnerships.panda.born", "partnerships.loan.started")
    data = of_cub[0]["data"]
    assert data["revision"] > before["revision"] and data["living"] >= before["population_size"] + 1
    at_zoo = [h for h in data["living_by_institution"] if h["holder_id"] == zoo]
    assert at_zoo == [{"holder_id": zoo, "living": 3}], data["living_by_institution"]

    after = _ok(coordinator.get(STUDBOOK))
    assert after["revision"] >= data["revision"]
    assert [(h["country"], h["living"]) for h in after["living_by_institution"] if h["holder_id"] == zoo] == [
        ("AT", 3)]

    # The partner holding the cub reads its figures; not those of a panda it does not hold, nor the studbook's.
    partner_key = stack.issue_key("partner", partner_id=zoo)["key"]
    with stack.client(partner_key) as partner:
        g = genetics_of(partner, cub)
        assert (g["inbreeding"], g["holder"]["holder_id"], g["holder"]["country"]) == (0, zoo, "AT")
        assert g["owner"] == {"holder_id": None, "name": "base", "country": "CN"}  # a loan moves no ownership
        assert {s["founder_id"] for s in g["founder_contributions"]} == {sire, mother}
        assert partner.get(f"{PANDAS}/{marker}/genetics").status_code == 403
        assert partner.get(STUDBOOK).status_code == 403
        assert _ok(partner.post(PAIRINGS, json={"sire_id": marker, "dam_id": cub}))["same_holder"] is False
    with stack.client(keys["member"]) as member:
        assert member.get(f"{PANDAS}/{cub}/genetics").status_code == 403
    with stack.client() as anonymous:
        assert anonymous.get(f"{PANDAS}/{cub}/genetics").status_code == 401
    assert coordinator.get(f"{PANDAS}/{uuid.uuid4()}/genetics").status_code == 404


def test_mates_of_a_female_on_loan_are_ranked_with_the_transfer_they_need(coordinator):
    zoo, other_zoo = _partner(coordinator, "Zoo Berlin", "DE"), _partner(coordinator, "Zoo Adelaide", "AU")
    agreement = new_agreement(coordinator, [zoo, other_zoo])
    w1 = register(coordinator, "male", "2000-01-01", sire_origin="wild", dam_origin="wild")
    w2 = register(coordinator, "female", "2000-01-01", sire_origin="wild", dam_origin="wild")
    female = register(coordinator, "female", "2010-01-01", sire_id=w1, dam_id=w2)
    brother = register(coordinator, "male", "2011-01-01", sire_id=w1, dam_id=w2)  # at the base
    unrelated_here = register(coordinator, "male", "2009-01-01", sire_origin="wild", dam_origin="wild")
    unrelated_there = register(coordinator, "male", "2009-01-01", sire_origin="wild", dam_origin="wild")
    unknown_there = register(coordinator, "male", "2009-01-01")  # unknown ancestry
    dead = register(coordinator, "male", "2009-01-01", sire_origin="wild", dam_origin="wild",
                    death_date="2020-01-01")
    for p, host in ((female, zoo), (unrelated_here, zoo), (unrelated_there, other_zoo), (unknown_there, other_zoo)):
        _lend(coordinator, p, agreement, host)

    shortlist = [brother, unrelated_here, unrelated_there, unknown_there, dead, w2]
    r = _ok(coordinator.get(f"{PANDAS}/{female}/mates", params={"candidate": shortlist}))
    ranked = [m["sire_id"] for m in r["mates"]]
    # Unrelated first (equal figures: the least unknown ancestry ahead), the brother (offspring F .25) last; the
    # dead male and the female are no candidates.
    assert ranked[-1] == brother and set(ranked) == {brother, unrelated_here, unrelated_there, unknown_there}
    assert ranked.index(unknown_there) > max(ranked.index(unrelated_here), ranked.index(unrelated_there))
    by_id = {m["sire_id"]: m for m in r["mates"]}
    assert by_id[brother]["offspring_inbreeding"] == .25 and "above 1/16" in by_id[brother]["reasons"][0]
    assert by_id[unknown_there]["unknown_ancestry"] == .5
    assert by_id[unrelated_here]["same_holder"] is True and by_id[unrelated_here]["transfer_needed"] is None
    move = by_id[unrelated_there]["transfer_needed"]
    assert (move["panda_id"], move["from_holder"]["holder_id"], move["to_holder"]["holder_id"]) == (
        unrelated_there, other_zoo, zoo)
    assert by_id[brother]["transfer_needed"]["from_holder"] == {"holder_id": None, "name": "base", "country": "CN"}
    for m in r["mates"]:
        assert (m["dam_id"] == female and m["delta_gene_diversity"] <= 0) or m["delta_gene_diversity"] > 0

    # Without a shortlist: every living managed male, ranked by the same rule.
    everyone = _ok(coordinator.get(f"{PANDAS}/{female}/mates", params={"limit": 200}))["mates"]
    for a, b in itertools.pairwise(everyone):  # (the figures are rounded: compared within their rounding)
        band_a, band_b = a["offspring_inbreeding"] > .0625, b["offspring_inbreeding"] > .0625
        assert band_a <= band_b and (band_a < band_b or a["delta_gene_diversity"] >= b["delta_gene_diversity"]
                                     - 1e-6), (a, b)
    assert dead not in {m["sire_id"] for m in everyone}

    r = coordinator.post(PAIRINGS, json={"sire_id": female, "dam_id": brother})
    assert r.status_code == 422 and problem_of(r)["errors"][0]["loc"] == ["body", "sire_id"]
    r = coordinator.post(PAIRINGS, json={"sire_id": brother, "dam_id": brother})
    assert r.status_code == 422


def test_a_sparks_exchange_file_is_imported_in_pedigree_order_and_exported_for_pmx(coordinator, stack, keys):
    """Records in any order (offspring before parents), UNK/WILD/MULT parents, a result per record; a bad record,
    a parent cycle and an unknown parent are refused with their column, the rest imported; the export reads back
    as the same studbook."""
    n = uuid.uuid4().int % 10**8
    s = [str(n + k) for k in range(10)]  # s[0]..s[9]: this test's studbook numbers
    existing = _ok(coordinator.post(PANDAS, json={"studbook_number": s[9], "name": {"en": "Here"}, "sex": "male",
                                                  "birth_date": "1995-01-01"}), 201)
    text = "\r\n".join([
        "STUD_ID,SIRE_ID,DAM_ID,SEX,BDATE,BIRTH_EST,DDATE,LOCATION,NAME,MULT_SIRES",
        f"{s[4]},{s[2]},{s[3]},F,20150801,N,,Chengdu,Grandchild,",       # before its parents
        f"{s[3]},MULT,{s[1]},F,20080815,N,,Chengdu,Mult,{s[0]}:0.5;{s[9]}:0.5",
        f"{s[2]},{s[0]},{s[1]},M,20060820,N,,Chengdu,Son,",
        f"{s[0]},WILD,WILD,M,1990-07-01,Y,20121001,Wolong,Founder,",
        f"{s[1]},WILD,WILD,F,19920701,Y,,Wolong,Founder,",
        f"{s[5]},{s[6]},UNK,M,20100101,N,,x,Cycle,",
        f"{s[6]},{s[5]},UNK,M,20100101,N,,x,Cycle,",
        f"{s[7]},999999999,{s[1]},M,20100101,N,,x,Orphan,",
        f"{s[8]},UNK,UNK,X,notadate,N,,x,Bad,",
        f"{s[9]},WILD,WILD,M,19950101,N,,x,Here,",
    ]) + "\r\n"
    r = coordinator.post(f"{API}/studbook/import", content=text.encode(), headers={"Content-Type": "text/csv"})
    report = _ok(r)
    status = {x["stud_id"]: x["status"] for x in report["results"]}
    assert [x["line"] for x in report["results"]] == list(range(2, 12))
    assert {k: status[k] for k in s[:5]} == dict.fromkeys(s[:5], "created"), report
    assert (status[s[5]], status[s[6]], status[s[7]], status[s[8]], status[s[9]]) == (
        "invalid", "invalid", "invalid", "invalid", "exists")
    errors = {x["stud_id"]: x.get("errors") for x in report["results"]}
    assert "cycle" in errors[s[5]][0]["msg"] and errors[s[7]][0]["loc"] == ["SIRE_ID"]
    assert {e["loc"][0] for e in errors[s[8]]} == {"SEX", "BDATE"}
    assert (report["created"], report["exists"], report["invalid"]) == (5, 1, 4)
    ids = {x["stud_id"]: x["id"] for x in report["results"] if x.get("id")}
    assert ids[s[9]] == existing["id"]

    mult = _ok(coordinator.get(f"{PANDAS}/{ids[s[3]]}"))
    assert (mult["sire_origin"], mult["dam_id"]) == ("multiple", ids[s[1]])
    # The grandchild: sire s2 (son of s0 and s1), dam s3 (of s1 and s0 with p .5): f(s2, s3) = .5 (1/4 + 1/2 .
    # f(s0, s3)) ... computed: f(s2, s3) = ½ f(s0, s3) + ½ f(s1, s3) = ½ (½ · ½ · ½) + ½ (¼) = 0.1875.
    assert genetics_of(coordinator, ids[s[4]])["inbreeding"] == pytest.approx(0.1875, abs=1e-6)
    founder = _ok(coordinator.get(f"{PANDAS}/{ids[s[0]]}"))
    assert (founder["birth_date_estimated"], founder["death_date"], founder["dam_origin"]) == (True, "2012-10-01",
                                                                                                 "wild")

    with stack.client(keys["analyst"]) as analyst:
        exported = analyst.get(f"{API}/studbook/export")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = {row.split(",")[0]: row for row in exported.text.split("\r\n")}
    assert lines["STUD_ID"] == "STUD_ID,SIRE_ID,DAM_ID,SEX,BDATE,BIRTH_EST,DDATE,LOCATION,NAME,MULT_SIRES"
    assert lines[s[3]] == f"{s[3]},MULT,{s[1]},F,20080815,N,,base,Mult,{s[0]}:0.5;{s[9]}:0.5"
    assert lines[s[0]] == f"{s[0]},WILD,WILD,M,19900701,Y,20121001,base,Founder,"
    again = _ok(coordinator.post(f"{API}/studbook/import", headers={"Content-Type": "text/csv"},
                                 content="\r\n".join([lines["STUD_ID"], *(lines[k] for k in s[:5])]).encode()))
    assert again["exists"] == 5 and again["created"] == 0

    for body, ctype, code in ((text.encode(), "application/json", 415), (b"A,B\r\n1,2\r\n", "text/csv", 422),
                              (b"STUD_ID\r\n", "text/csv", 422)):
        r = coordinator.post(f"{API}/studbook/import", content=body, headers={"Content-Type": ctype})
        assert r.status_code == code and r.headers["content-type"] == "application/problem+json", r.text
    with stack.client(keys["analyst"]) as analyst:
        assert analyst.post(f"{API}/studbook/import", content=text.encode(),
                            headers={"Content-Type": "text/csv"}).status_code == 403


def test_a_death_takes_a_panda_out_of_the_population_through_its_event(coordinator):
    dam = register(coordinator, "female", "2004-01-01", sire_origin="wild", dam_origin="wild")
    son = register(coordinator, "male", "2010-01-01", dam_id=dam)
    assert genetics_of(coordinator, son)["in_population"] is True
    for body, who in (({"death_date": "2025-11-02"}, son), ({"managed": False}, dam)):
        version = _ok(coordinator.get(f"{PANDAS}/{who}"))["version"]
        changed = _ok(coordinator.patch(f"{PANDAS}/{who}", json=body, headers={"If-Match": f'"{version}"'}))
        assert changed["version"] == version + 1 and all(changed[k] == v for k, v in body.items())
        deadline = time.monotonic() + 30
        while (g := genetics_of(coordinator, who))["in_population"]:
            assert time.monotonic() < deadline, f"{body} never reached the figures"
        assert g["mean_kinship_rank"] is None and g["inbreeding"] == 0
    r = coordinator.patch(f"{PANDAS}/{son}", json={"death_date": "2009-01-01"})
    assert r.status_code == 422 and problem_of(r)["errors"][0]["loc"] == ["body", "death_date"]
    r = coordinator.patch(f"{PANDAS}/{son}", json={"death_date": "2099-01-01"})
    assert r.status_code == 422
