"""Who may do what, as the domain names it: the roles of callers. Plain Python, so a domain module can use them."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    analyst = "analyst"
    partner = "partner"
    member = "member"
    anonymous = "anonymous"


STAFF = frozenset({Role.admin, Role.coordinator, Role.analyst})
SIGNED_IN = frozenset(Role) - {Role.anonymous}
WRITERS = frozenset({Role.admin, Role.coordinator})
