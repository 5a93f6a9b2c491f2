"""`/api/v1/publications/works/...`: bulk_import."""

from fastapi import APIRouter

router = APIRouter()
