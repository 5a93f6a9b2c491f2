"""`/api/v1/training/partners/{id}`: the partner institutions as this service knows them."""

from services.training.db.models import known_partners

router = known_partners.router()
