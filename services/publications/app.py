"""The publications service: the joint research's papers and books, searchable with the database's full-text
search, citable in BibTeX, RIS and CSL-JSON, importable in bulk, and credited to the cooperation."""

from services.publications.api import bulk_import, citations, partners, stats, works
from services.publications.db.models import messaging
from services.publications.events.handlers import handlers
from services.publications.settings import PublicationsSettings
from shared.service import create_service_app

# The API description's tags, one per group of routes: what each is about.
TAGS = {
    "works": "Papers, books and other works of the joint research: records, search with facets, citations, bulk "
             "import.",
    "publications stats": "Works per year and type, open-access share, research areas.",
    "publications: partners (local copy)": "The partner institutions as the publications service knows them from the "
                                           "partnerships events.",
}

settings = PublicationsSettings()
app = create_service_app(
    settings,
    title="Publications",
    tables=messaging,
    routers=[bulk_import.router, works.router, citations.router, stats.router, partners.router],
    handlers=handlers,
    tags=TAGS,
)
