"""Response bodies that the routers of several services show alike."""

from __future__ import annotations

from typing import Any, Self

from fastapi import Response

from shared.db.lookup import Placed
from shared.http import Representation


class PlacedRepresentation(Representation):
    """Base of a response body that shows something holding a place or waiting for one (an enrollment, a
    registration): the item's fields, and `waitlist_position` from its place in line."""

    @classmethod
    def placed(cls, placed: Placed[Any], response: Response | None = None) -> Self:
        return cls.of(placed.item, response, waitlist_position=placed.waitlist_position)
