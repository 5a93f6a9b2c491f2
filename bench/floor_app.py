"""The floor: the least an app on this project's stack can do for the benchmarks' read, to measure the services
against (bench/floor.py). FastAPI, uvicorn with the same HTTP protocol, async SQLAlchemy on the same driver, a
pydantic model for the answer; one row read by its primary key in one query. No middleware, no caller check, no
ORM mapping, no instrumentation: what is left is the stack's own cost.

`FLOOR_DATABASE_URL` names the database; at start-up the app makes its table and one row, whose id
`GET /floor/ids` answers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Uuid, select
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["FLOOR_DATABASE_URL"])
metadata = MetaData()
items = Table(
    "floor_items", metadata,
    Column("id", Uuid, primary_key=True), Column("name", JSON, nullable=False),
    Column("kind", String(40), nullable=False), Column("country", String(2), nullable=False),
    Column("city", String(200)), Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
ITEM_ID = uuid.UUID("00000000-0000-7000-8000-00000000f100")


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
