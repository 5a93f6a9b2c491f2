"""`/api/v1/outreach/partners/{id}`: the partner institutions as this service knows them."""

from services.outreach.db.models import known_partners

router = known_partners.router()
