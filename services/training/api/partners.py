"""`/api/v1/training/partners/{id}`: the partner institutions as this service knows them."""

from services.training.db.models import known_partners
from shared.routers import known_partner_router

router = known_partner_router(known_partners, "training")
