"""Tables of the publications database."""

from __future__ import annotations

from sqlalchemy import MetaData

from shared.db.naming import NAMING
from shared.messaging import messaging_tables
from shared.readmodels.partners import KnownPartners

metadata = MetaData(naming_convention=NAMING)
messaging = messaging_tables(metadata)
known_partners = KnownPartners(metadata)
