"""Pandas and loans: the studbook and its pedigree rules, loans under active panda_loan agreements (never two at
once for one panda, whatever the concurrency), returns, cubs born on loan, and the events of each.

The rules are tried on the domain classes first (fast, no I/O), then through the gateway on the real stack."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from services.partnerships.domain.agreement import Agreement, AgreementKind, AgreementState
from services.partnerships.domain.loan import Loan, LoanState
from services.partnerships.domain.panda import Panda, Sex
from services.partnerships.domain.partner import Partner
from shared.domain import Conflict, InvalidTransition, RuleViolated
from tests.harness import Stack, problem_of

API = "/api/v1/partnerships"
PANDAS = f"{API}/pandas"
LOANS = f"{API}/loans"

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def studbook() -> str:
    return f"SB-{uuid.uuid4().hex[:12]}"


# --- the domain, without I/O --------------------------------------------------------------------------------


def panda(sex: Sex, born: str, **kw: Any) -> Panda:
    return Panda.register(studbook_number=studbook(), name={"en": "P"}, sex=sex, birth_date=dt.date.fromisoformat(born),
                          today=NOW.date(), now=NOW, **kw)


def agreement(kind: AgreementKind = AgreementKind.panda_loan, state: AgreementState = AgreementState.active,
              partners: tuple[uuid.UUID, ...] = (), **kw: Any) -> Agreement:
    a = Agreement.draft(code="AGR-2024-0001", title={"en": "Loan"}, kind=kind, partner_ids=list(partners) or
                        [uuid.uuid4()], effective_from=dt.date(2024, 1, 1), effective_until=dt.date(2034, 12, 31),
                        actor="t", now=NOW, **kw)
    a.state = state
    return a


def test_domain_pedigree_rules():
    dam, sire = panda(Sex.female, "2010-08-01"), panda(Sex.male, "2009-09-01")
    cub = panda(Sex.male, "2020-07-01", dam=dam, sire=sire)
    assert (cub.dam_id, cub.sire_id) == (dam.id, sire.id)
    for kw, field in (({"dam": sire}, "dam_id"), ({"sire": dam}, "sire_id"), ({"dam": cub}, "dam_id")):
        with pytest.raises(RuleViolated) as refused:
            panda(Sex.female, "2015-01-01", **kw)
        assert refused.value.loc == ("body", field)
    with pytest.raises(RuleViolated, match="born before"):
        panda(Sex.female, "2010-08-01", dam=dam)  # born the same day is not before
    with pytest.raises(RuleViolated, match="future"):
        panda(Sex.female, "2026-06-02")


def test_domain_loan_rules_and_return():
    host = uuid.uuid4()
    mother, a = panda(Sex.female, "2015-01-01"), agreement(partners=(host,))
    start = dict(host_partner_id=host, start_date=dt.date(2024, 6, 1), planned_end_date=dt.date(2034, 6, 1), now=NOW)
    loan = Loan.start(mother, a, **start)
    assert loan.state is LoanState.active and loan.allowed_actions == ["return"]
    with pytest.raises(Conflict, match="already on loan"):
        Loan.start(mother, a, current_loan=loan, **start)
    with pytest.raises(RuleViolated, match="panda_loan"):
        Loan.start(mother, agreement(AgreementKind.framework, partners=(host,)), **start)
    with pytest.raises(Conflict, match="signed"):
        Loan.start(mother, agreement(state=AgreementState.signed, partners=(host,)), **start)
    with pytest.raises(RuleViolated, match="not named"):
        Loan.start(mother, a, **start | {"host_partner_id": uuid.uuid4()})
    with pytest.raises(RuleViolated, match="term"):
        Loan.start(mother, a, **start | {"planned_end_date": dt.date(2035, 1, 1)})
    with pytest.raises(RuleViolated, match="before planned_end_date"):
        Loan.start(mother, a, **start | {"planned_end_date": dt.date(2024, 6, 1)})
    with pytest.raises(RuleViolated, match="born on"):
        Loan.start(panda(Sex.male, "2025-01-01"), a, **start)

    with pytest.raises(RuleViolated, match="before the loan's start"):
        loan.return_(dt.date(2024, 5, 31), NOW)
    with pytest.raises(RuleViolated, match="future"):
        loan.return_(dt.date(2026, 6, 2), NOW)
    assert loan.state is LoanState.active and loan.version == 1, "a refused return changes nothing"
    loan.return_(dt.date(2026, 6, 1), NOW)
    assert (loan.state, loan.returned_on, loan.version) == (LoanState.returned, dt.date(2026, 6, 1), 2)
    with pytest.raises(InvalidTransition) as twice:
        loan.return_(dt.date(2026, 6, 1), NOW)
    assert twice.value.state == "returned" and twice.value.allowed == []


def test_domain_cub_born_on_loan_gets_the_agreed_return_date():
    zoo = Partner.register(name={"en": "Zoo Vienna"}, kind="zoo", country="AT", city="Vienna")  # type: ignore[arg-type]
    mother = panda(Sex.female, "2015-01-01")
    for a, born, home in ((agreement(partners=(zoo.id,)), "2024-02-29", dt.date(2028, 2, 29)),
                          (agreement(partners=(zoo.id,), cub_return_age_years=2), "2025-08-01", dt.date(2027, 8, 1))):
        loan = Loan.start(mother, a, zoo.id, dt.date(2024, 1, 1), dt.date(2030, 1, 1), NOW)
        cub, cub_loan = loan.record_cub(mother=mother, agreement=a, host=zoo, studbook_number=studbook(),
                                        name={"en": "Cub"}, sex=Sex.female, birth_date=dt.date.fromisoformat(born),
                                        now=NOW)
        assert cub.dam_id == mother.id and cub.birthplace == "Zoo Vienna, Vienna"
        assert (cub_loan.panda_id, cub_loan.mother_loan_id, cub_loan.planned_end_date) == (cub.id, loan.id, home)
        assert cub_loan.start_date == cub.birth_date and cub_loan.host_partner_id == zoo.id


# --- through the gateway ------------------------------------------------------------------------------------


@dataclass
class World:
    host: str  # a zoo named by the loan agreement
    stranger: str  # a partner that no loan agreement names
    agreement: str  # an active panda_loan agreement naming `host` (cubs go home at 4, the default)
    other_kind: str  # an active research_cooperation agreement naming `host`
    draft: str  # a panda_loan agreement naming `host`, still a draft


def _ok(r: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json()


def new_agreement(c: httpx.Client, partner_ids: list[str], kind: str = "panda_loan", active: bool = True,
                  **extra: Any) -> str:
    body = {"title": {"en": f"Loan {uuid.uuid4().hex[:8]}"}, "kind": kind, "partner_ids": partner_ids,
            "effective_from": "2024-01-01", "effective_until": "2034-12-31"} | extra
    agreement_id = _ok(c.post(f"{API}/agreements", json=body), 201)["id"]
    if active:
        for step in ({"action": "submit"}, {"action": "sign", "signed_on": "2024-01-01"}, {"action": "activate"}):
            _ok(c.post(f"{API}/agreements/{agreement_id}/transitions", json=step))
    return agreement_id


@pytest.fixture(scope="module")
def world(stack: Stack, keys: dict[str, str]) -> World:
    with stack.client(keys["coordinator"]) as c:
        host, stranger = (_ok(c.post(f"{API}/partners", json={"name": {"en": name}, "kind": "zoo", "country": cc,
                                                              "city": city}), 201)["id"]
                          for name, cc, city in (("Zoo Vienna", "AT", "Vienna"), ("Zoo Madrid", "ES", "Madrid")))
        return World(
            host=host, stranger=stranger, agreement=new_agreement(c, [host]),
            other_kind=new_agreement(c, [host], kind="research_cooperation"),
            draft=new_agreement(c, [host], active=False),
        )


def new_panda(c: httpx.Client, sex: str = "female", born: str = "2015-08-01", **extra: Any) -> dict[str, Any]:
    body = {"studbook_number": studbook(), "name": {"en": "Yang Yang", "zh": "阳阳"}, "sex": sex,
            "birth_date": born} | extra
    return _ok(c.post(PANDAS, json=body), 201)


def loan_body(world: World, panda_id: str, **extra: Any) -> dict[str, Any]:
    return {"panda_id": panda_id, "agreement_id": world.agreement, "host_partner_id": world.host,
            "start_date": "2024-06-01", "planned_end_date": "2034-06-01"} | extra


def new_loan(c: httpx.Client, world: World, panda_id: str, **extra: Any) -> dict[str, Any]:
    return _ok(c.post(LOANS, json=loan_body(world, panda_id, **extra)), 201)


def refused(r: httpx.Response, status: int, loc: list[str] | None = None) -> dict[str, Any]:
    problem = problem_of(r)
    assert r.status_code == status, r.text
    if loc is not None:
        assert [e["loc"] for e in problem["errors"]] == [loc], problem
    return problem


def test_pandas_are_registered_with_their_pedigree(stack: Stack, coordinator: httpx.Client, anonymous):
    dam, sire = new_panda(coordinator, "female", "2010-08-01"), new_panda(coordinator, "male", "2009-09-01")
    r = coordinator.post(PANDAS, json={"studbook_number": studbook(), "name": {"en": "Bao Bao"}, "sex": "female",
                                       "birth_date": "2020-07-01", "dam_id": dam["id"], "sire_id": sire["id"]})
    cub = _ok(r, 201)
    assert (cub["dam_id"], cub["sire_id"], cub["version"]) == (dam["id"], sire["id"], 1)
    assert r.headers["etag"] == '"1"' and r.headers["location"].endswith(cub["id"])

    # Pandas are public data: anyone reads them, only writers write them.
    url = f"{PANDAS}/{cub['id']}"
    assert _ok(anonymous.get(url))["name"] == {"en": "Bao Bao"}
    assert anonymous.get(url, headers={"If-None-Match": '"1"'}).status_code == 304
    refused(anonymous.post(PANDAS, json={}), 401)

    base = {"name": {"en": "X"}, "sex": "female", "birth_date": "2021-01-01"}
    for parents, loc, why in (({"dam_id": sire["id"]}, "dam_id", "female"),
                              ({"sire_id": dam["id"]}, "sire_id", "male"),
                              ({"dam_id": cub["id"], "birth_date": "2020-07-01"}, "dam_id", "born before"),
                              ({"dam_id": str(uuid.uuid4())}, "dam_id", "no panda")):
        problem = refused(coordinator.post(PANDAS, json=base | {"studbook_number": studbook()} | parents), 422,
                          ["body", loc])
        assert why in problem["detail"], problem
    refused(coordinator.post(PANDAS, json=base | {"studbook_number": studbook(), "birth_date": "2099-01-01"}), 422,
            ["body", "birth_date"])
    refused(coordinator.post(PANDAS, json=base | {"studbook_number": studbook(), "sex": "unknown"}), 422)
    problem = refused(coordinator.post(PANDAS, json=base | {"studbook_number": cub["studbook_number"]}), 409)
    assert cub["studbook_number"] in problem["detail"]
    refused(coordinator.get(f"{PANDAS}/{uuid.uuid4()}"), 404)


def test_names_and_birthplace_are_corrected_with_if_match(stack: Stack, coordinator: httpx.Client):
    p = new_panda(coordinator)
    url = f"{PANDAS}/{p['id']}"
    r = coordinator.patch(url, json={"name": {"en": "Yang Yang", "de": "Yang Yang"}, "birthplace": "Wolong"},
                          headers={"If-Match": '"1"'})
    assert _ok(r)["version"] == 2 and r.json()["birthplace"] == "Wolong" and r.headers["etag"] == '"2"'
    refused(coordinator.patch(url, json={"birthplace": "Chengdu"}, headers={"If-Match": '"1"'}), 412)
    refused(coordinator.patch(url, json={"sex": "male"}), 422)
    refused(coordinator.patch(url, json={"name": None}), 422)
    assert _ok(coordinator.patch(url, json={"birthplace": "Wolong"}))["version"] == 2, "no change, no new version"
    refused(coordinator.patch(f"{PANDAS}/{uuid.uuid4()}", json={"birthplace": "x"}), 404)


def test_panda_list_filters_and_keyset_pages(stack: Stack, coordinator: httpx.Client, anonymous, world: World):
    tag = uuid.uuid4().hex[:8]
    made = [new_panda(coordinator, sex, name={"en": f"List {tag} {i}"})["id"]
            for i, sex in enumerate(("female", "male", "female"))]
    new_loan(coordinator, world, made[2])

    def ids(**params: Any) -> list[str]:
        return [p["id"] for p in _ok(anonymous.get(PANDAS, params={"q": tag} | params))["items"]]

    assert ids() == made
    assert ids(sex="female") == [made[0], made[2]]
    assert ids(on_loan=True) == [made[2]] and ids(on_loan=False) == made[:2]
    assert ids(q=f"LIST {tag} 1") == [made[1]]
    seen, cursor = [], None
    while True:
        page = _ok(anonymous.get(PANDAS, params={"q": tag, "limit": 1} | ({"cursor": cursor} if cursor else {})))
        seen += [p["id"] for p in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == made
    refused(anonymous.get(PANDAS, params={"cursor": "nonsense"}), 422)


def test_a_loan_needs_an_active_panda_loan_agreement_naming_the_host(stack: Stack, coordinator, keys, world: World):
    p = new_panda(coordinator)["id"]
    for extra, status, loc, why in (
        ({"agreement_id": world.other_kind}, 422, ["body", "agreement_id"], "panda_loan"),
        ({"agreement_id": world.draft}, 409, None, "draft"),
        ({"host_partner_id": world.stranger}, 422, ["body", "host_partner_id"], "not named"),
        ({"panda_id": str(uuid.uuid4())}, 422, ["body", "panda_id"], "no panda"),
        ({"agreement_id": str(uuid.uuid4())}, 422, ["body", "agreement_id"], "no agreement"),
        ({"host_partner_id": str(uuid.uuid4())}, 422, ["body", "host_partner_id"], "no partner"),
        ({"planned_end_date": "2035-06-01"}, 422, ["body", "planned_end_date"], "term"),
        ({"start_date": "2034-06-01"}, 422, ["body", "planned_end_date"], "before planned_end_date"),
        ({"start_date": "not a date"}, 422, ["body", "start_date"], ""),
    ):
        problem = refused(coordinator.post(LOANS, json=loan_body(world, p) | extra), status, loc)
        assert why in problem["detail"], problem
    refused(coordinator.post(LOANS, json=loan_body(world, p, note="x")), 422, ["body", "note"])
    with stack.client(keys["analyst"]) as analyst:
        refused(analyst.post(LOANS, json=loan_body(world, p)), 403)
    assert _ok(coordinator.get(LOANS, params={"panda_id": p}))["items"] == [], "nothing was written"


def test_concurrent_loans_of_one_panda_exactly_one_succeeds(stack: Stack, keys, world: World):
    with stack.client(keys["coordinator"]) as c:
        p = new_panda(c)["id"]

    def attempt(_: int) -> httpx.Response:
        with stack.client(keys["coordinator"]) as own:
            return own.post(LOANS, json=loan_body(world, p))

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(attempt, range(10)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] + [409] * 9, [r.text for r in answers]
    for r in answers:
        if r.status_code == 409:
            assert "already on loan" in problem_of(r)["detail"]
    with stack.client(keys["analyst"]) as analyst:
        assert len(_ok(analyst.get(LOANS, params={"panda_id": p}))["items"]) == 1


def test_return_ends_a_loan_once_and_the_panda_can_go_again(stack: Stack, coordinator, keys, world: World):
    p = new_panda(coordinator)["id"]
    loan = new_loan(coordinator, world, p)
    assert (loan["state"], loan["allowed_actions"], loan["mother_loan_id"]) == ("active", ["return"], None)
    url = f"{LOANS}/{loan['id']}"
    act = f"{url}/transitions"

    refused(coordinator.post(LOANS, json=loan_body(world, p)), 409)
    refused(coordinator.post(act, json={"action": "return", "returned_on": "2024-05-01"}), 422, ["body", "returned_on"])
    refused(coordinator.post(act, json={"action": "return", "returned_on": "2099-01-01"}), 422, ["body", "returned_on"])
    refused(coordinator.post(act, json={"action": "lend"}), 422)
    refused(coordinator.post(act, json={"action": "return", "returned_on": "2025-01-01"}, headers={"If-Match": '"7"'}),
            412)
    refused(coordinator.post(f"{LOANS}/{uuid.uuid4()}/transitions", json={"action": "return"}), 404)
    with stack.client(keys["analyst"]) as analyst:
        refused(analyst.post(act, json={"action": "return", "returned_on": "2025-01-01"}), 403)

    r = coordinator.post(act, json={"action": "return", "returned_on": "2025-01-01"}, headers={"If-Match": '"1"'})
    returned = _ok(r)
    assert (returned["state"], returned["returned_on"], returned["version"]) == ("returned", "2025-01-01", 2)
    assert returned["allowed_actions"] == [] and r.headers["etag"] == '"2"'
    twice = refused(coordinator.post(act, json={"action": "return", "returned_on": "2025-01-02"}), 409)
    assert twice["state"] == "returned" and twice["allowed_actions"] == [], twice
    with stack.client(keys["member"]) as member:
        assert _ok(member.get(url))["state"] == "returned"
        assert member.get(url, headers={"If-None-Match": '"2"'}).status_code == 304
    with stack.client() as anonymous:
        refused(anonymous.get(url), 401)

    overlapping = refused(coordinator.post(LOANS, json=loan_body(world, p, start_date="2024-12-31")), 422,
                          ["body", "start_date"])
    assert "2025-01-01" in overlapping["detail"]
    again = new_loan(coordinator, world, p, start_date="2025-01-01")
    listed = _ok(coordinator.get(LOANS, params={"panda_id": p}))["items"]
    assert [x["id"] for x in listed] == [loan["id"], again["id"]]
    assert [x["id"] for x in _ok(coordinator.get(LOANS, params={"panda_id": p, "state": "active"}))["items"]] == [
        again["id"]]
    assert again["id"] in [x["id"] for x in _ok(coordinator.get(
        LOANS, params={"host_partner_id": world.host, "agreement_id": world.agreement, "limit": 200}))["items"]]


async def _events(bootstrap: str, wanted: dict[str, str], timeout: float = 20) -> dict[str, dict]:
    """The first event of each (type, subject) in `wanted` ({subject: type}) on partnerships.events."""
    consumer = AIOKafkaConsumer("partnerships.events", bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"test-{uuid.uuid4().hex}", enable_auto_commit=False)
    await consumer.start()
    found: dict[str, dict] = {}
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and len(found) < len(wanted):
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                for record in batch:
                    try:
                        event = json.loads(record.value)
                    except ValueError:
                        continue  # other tests put poison messages on this topic on purpose
                    if isinstance(event, dict) and wanted.get(event.get("subject")) == event.get("type"):
                        assert record.key.decode() == event["subject"]
                        found[event["subject"]] = event
        return found
    finally:
        await consumer.stop()


def test_a_cub_born_on_loan_is_recorded_with_its_mothers_loan(stack: Stack, coordinator, world: World):
    sire = new_panda(coordinator, "male", "2012-01-01")
    mother = new_panda(coordinator, "female", "2014-09-01")
    loan = new_loan(coordinator, world, mother["id"])
    cubs = f"{LOANS}/{loan['id']}/cubs"
    body = {"studbook_number": studbook(), "name": {"en": "Little One"}, "sex": "male", "birth_date": "2025-08-15",
            "sire_id": sire["id"]}

    refused(coordinator.post(cubs, json=body | {"birth_date": "2024-05-31"}), 422, ["body", "birth_date"])
    refused(coordinator.post(cubs, json=body | {"sire_id": mother["id"]}), 422, ["body", "sire_id"])
    refused(coordinator.post(cubs, json=body | {"sire_id": str(uuid.uuid4())}), 422, ["body", "sire_id"])
    refused(coordinator.post(cubs, json=body | {"studbook_number": mother["studbook_number"]}), 409)
    refused(coordinator.post(f"{LOANS}/{uuid.uuid4()}/cubs", json=body), 404)

    born = _ok(coordinator.post(cubs, json=body), 201)
    cub, cub_loan = born["panda"], born["loan"]
    assert (cub["dam_id"], cub["sire_id"], cub["birth_date"]) == (mother["id"], sire["id"], "2025-08-15")
    assert cub["birthplace"] == "Zoo Vienna, Vienna"
    assert cub_loan["panda_id"] == cub["id"] and cub_loan["mother_loan_id"] == loan["id"]
    assert (cub_loan["agreement_id"], cub_loan["host_partner_id"]) == (world.agreement, world.host)
    assert (cub_loan["start_date"], cub_loan["planned_end_date"], cub_loan["state"]) == (
        "2025-08-15", "2029-08-15", "active"), "a cub goes home at four, unless the agreement says otherwise"
    assert _ok(coordinator.get(f"{PANDAS}/{cub['id']}"))["dam_id"] == mother["id"]
    assert [p["id"] for p in _ok(coordinator.get(PANDAS, params={"q": cub["studbook_number"], "on_loan": True}))[
        "items"]] == [cub["id"]]

    male_loan = new_loan(coordinator, world, sire["id"])
    problem = refused(coordinator.post(f"{LOANS}/{male_loan['id']}/cubs", json=body | {"studbook_number": studbook(),
                                                                                       "sire_id": None}), 422)
    assert "female" in problem["detail"]

    act = f"{LOANS}/{loan['id']}/transitions"
    returned = _ok(coordinator.post(act, json={"action": "return", "returned_on": "2026-01-10"}))
    problem = refused(coordinator.post(cubs, json=body | {"studbook_number": studbook()}), 409)
    assert "returned" in problem["detail"]

    events = asyncio.run(_events(stack.bootstrap, {
        loan["id"]: "partnerships.loan.started", mother["id"]: "partnerships.panda.registered",
        cub["id"]: "partnerships.panda.born", cub_loan["id"]: "partnerships.loan.started",
    }))
    assert set(events) == {loan["id"], mother["id"], cub["id"], cub_loan["id"]}, events.keys()
    started = events[loan["id"]]
    assert started["data"]["panda_id"] == mother["id"] and started["data"]["host_partner_id"] == world.host
    assert started["data"]["agreement_id"] == world.agreement and started["data"]["state"] == "active"
    born_event = events[cub["id"]]["data"]
    assert born_event["mother_loan_id"] == loan["id"] and born_event["loan_id"] == cub_loan["id"]
    assert born_event["dam_id"] == mother["id"]
    assert events[cub_loan["id"]]["data"]["mother_loan_id"] == loan["id"]
    back = asyncio.run(_events(stack.bootstrap, {loan["id"]: "partnerships.loan.returned"}))
    assert back[loan["id"]]["data"]["returned_on"] == "2026-01-10" == returned["returned_on"]


def test_a_cub_goes_home_when_the_agreement_says(stack: Stack, coordinator, world: World):
    agreement = new_agreement(coordinator, [world.host], cub_return_age_years=2)
    mother = new_panda(coordinator, "female", "2016-01-01")
    loan = new_loan(coordinator, world, mother["id"], agreement_id=agreement, start_date="2024-01-01")
    born = _ok(coordinator.post(f"{LOANS}/{loan['id']}/cubs", json={
        "studbook_number": studbook(), "name": {"zh": "小宝"}, "sex": "female", "birth_date": "2024-02-29"}), 201)
    assert born["loan"]["planned_end_date"] == "2026-02-28" and born["panda"]["sire_id"] is None
    listed = _ok(coordinator.get(LOANS, params={"agreement_id": agreement}))["items"]
    assert [x["id"] for x in listed] == [loan["id"], born["loan"]["id"]]


def test_bad_input_is_a_4xx_problem_never_a_5xx(stack: Stack, coordinator, world: World):
    p = new_panda(coordinator)
    loan = new_loan(coordinator, world, p["id"])
    big, nul = "x" * 100_000, "a\x00b"
    panda = {"studbook_number": studbook(), "name": {"en": "X"}, "sex": "male", "birth_date": "2020-01-01"}
    cases: list[tuple[str, str, Any]] = [
        ("POST", PANDAS, panda | {"studbook_number": nul}),
        ("POST", PANDAS, panda | {"studbook_number": big}),
        ("POST", PANDAS, panda | {"studbook_number": "  "}),
        # The pattern and the limit hold for the number as sent, before its spaces are stripped.
        ("POST", PANDAS, panda | {"studbook_number": " " + studbook()}),
        ("POST", PANDAS, panda | {"studbook_number": studbook() + " " * 20}),
        ("POST", PANDAS, panda | {"name": {"en": nul}}),
        ("POST", PANDAS, panda | {"name": {"not a language!": "x"}}),
        ("POST", PANDAS, panda | {"name": {}}),
        ("POST", PANDAS, panda | {"birthplace": big}),
        ("POST", PANDAS, panda | {"birth_date": "2020-02-30"}),
        ("POST", PANDAS, panda | {"dam_id": "not-a-uuid"}),
        ("POST", PANDAS, [panda]),
        ("POST", PANDAS, None),
        ("PATCH", f"{PANDAS}/{p['id']}", {"birthplace": nul}),
        ("PATCH", f"{PANDAS}/not-a-uuid", {"birthplace": "x"}),
        ("GET", f"{PANDAS}?q={big[:101]}", None),
        ("GET", f"{PANDAS}?on_loan=maybe", None),
        ("GET", f"{PANDAS}?sex=other", None),
        ("GET", f"{PANDAS}?limit=0", None),
        ("GET", f"{LOANS}?panda_id=nope", None),
        ("GET", f"{LOANS}?state=lost", None),
        ("GET", f"{LOANS}?limit=201", None),
        ("GET", f"{LOANS}/not-a-uuid", None),
        ("POST", LOANS, loan_body(world, p["id"]) | {"start_date": "2024-13-01"}),
        ("POST", LOANS, loan_body(world, p["id"]) | {"panda_id": 42}),
        ("POST", f"{LOANS}/{loan['id']}/transitions", {"action": "return", "returned_on": "yesterday"}),
        ("POST", f"{LOANS}/{loan['id']}/transitions", {"action": "return", "extra": 1}),
        ("POST", f"{LOANS}/{loan['id']}/cubs", {"studbook_number": studbook(), "name": {"en": "C"}, "sex": "male"}),
        ("POST", f"{LOANS}/{loan['id']}/cubs", {"studbook_number": studbook(), "name": {"en": "C"}, "sex": "male",
                                                "birth_date": "2025-01-01", "dam_id": p["id"]}),
    ]
    for method, url, body in cases:
        r = coordinator.request(method, url, json=body) if body is not None else coordinator.request(method, url)
        assert r.status_code in (400, 404, 409, 422) if method == "POST" else 400 <= r.status_code < 500, (
            method, url, r.status_code, r.text[:300])
        problem_of(r)
    assert _ok(coordinator.get(PANDAS, params={"q": "\x00zq\x00zq"}))["items"] == [], "odd text is a plain search"
    after = _ok(coordinator.get(f"{LOANS}/{loan['id']}"))
    assert after["version"] == 1 and after["state"] == "active"
    assert _ok(coordinator.get(f"{PANDAS}/{p['id']}"))["version"] == 1
