"""`/api/v1/publications/partners/{id}`: the partner institutions as this service knows them."""

from services.publications.db.models import known_partners

router = known_partners.router()
