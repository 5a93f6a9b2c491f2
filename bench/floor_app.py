"""The floor: the least an app on this project's stack can do for the benchmarks' read and enrollment-shaped
write, to measure the services against (bench/floor.py). FastAPI, uvicorn with the same HTTP protocol, async
SQLAlchemy on the same driver, pydantic models for the body and the answer. No middleware, no caller check, no
ORM mapping, no instrumentation: what is left is the stack's own cost.

- `GET /floor/items/{id}`: one row read by its primary key in one query.
- `POST /floor/cohorts/{id}/enrollments`: lock the cohort's row (`SELECT ... FOR UPDATE` on PostgreSQL, the
  write lock taken at `BEGIN IMMEDIATE` on SQLite, as the services do), insert the enrollment, update the
  cohort's counter, commit.

`FLOOR_DATABASE_URL` names the database; at start-up the app makes its tables, one item and one cohort
(ITEM_ID, COHORT_ID).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, UniqueConstraint, Uuid, event, select
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["FLOOR_DATABASE_URL"])
if engine.dialect.name == "sqlite":

    @event.listens_for(engine.sync_engine, "connect")
    def _autocommit_driver(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _write_lock_first(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

metadata = MetaData()
items = Table(
    "floor_items", metadata,
    Column("id", Uuid, primary_key=True), Column("name", JSON, nullable=False),
    Column("kind", String(40), nullable=False), Column("country", String(2), nullable=False),
    Column("city", String(200)), Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
cohorts = Table(
    "floor_cohorts", metadata,
    Column("id", Uuid, primary_key=True), Column("capacity", Integer, nullable=False),
    Column("taken", Integer, nullable=False), Column("waiting", Integer, nullable=False),
)
enrollments = Table(
    "floor_enrollments", metadata,
    Column("id", Uuid, primary_key=True), Column("cohort_id", Uuid, nullable=False),
    Column("name", String(200), nullable=False), Column("email", String(254), nullable=False),
    Column("country", String(2), nullable=False), Column("status", String(20), nullable=False),
    UniqueConstraint("cohort_id", "email"),
)
ITEM_ID = uuid.UUID("00000000-0000-7000-8000-00000000f100")
COHORT_ID = uuid.UUID("00000000-0000-7000-8000-00000000f200")


class Application(BaseModel):
    name: str
    email: str
    country: str


class Placed(BaseModel):
    id: uuid.UUID
    status: str


class Item(BaseModel):
    id: uuid.UUID
    name: dict[str, str]
    kind: str
    country: str
    city: str | None
    version: int
    updated_at: dt.datetime


@contextlib.asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        if (await conn.execute(select(items.c.id).where(items.c.id == ITEM_ID))).first() is None:
            await conn.execute(items.insert().values(
                id=ITEM_ID, name={"en": "Floor zoo"}, kind="zoo", country="DE", city="Berlin", version=1,
                updated_at=dt.datetime.now(dt.UTC)))
        if (await conn.execute(select(cohorts.c.id).where(cohorts.c.id == COHORT_ID))).first() is None:
            await conn.execute(cohorts.insert().values(id=COHORT_ID, capacity=100, taken=0, waiting=0))
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/floor/items/{item_id}", response_model=Item)
async def read_item(item_id: uuid.UUID) -> Item:
    async with engine.connect() as conn:
        row = (await conn.execute(select(items).where(items.c.id == item_id))).first()
    if row is None:
        raise HTTPException(404)
    return Item.model_validate(row._mapping)


@app.post("/floor/cohorts/{cohort_id}/enrollments", response_model=Placed, status_code=201)
async def enroll(cohort_id: uuid.UUID, application: Application) -> Placed:
    async with engine.begin() as conn:
        cohort = (await conn.execute(select(cohorts).where(cohorts.c.id == cohort_id).with_for_update())).first()
        if cohort is None:
            raise HTTPException(404)
        accepted = cohort.taken < cohort.capacity
        placed = Placed(id=uuid.uuid4(), status="accepted" if accepted else "waitlisted")
        await conn.execute(enrollments.insert().values(
            id=placed.id, cohort_id=cohort_id, name=application.name, email=application.email.lower(),
            country=application.country, status=placed.status))
        await conn.execute(cohorts.update().where(cohorts.c.id == cohort_id).values(
            taken=cohorts.c.taken + int(accepted), waiting=cohorts.c.waiting + int(not accepted)))
    return placed
