"""Scoped roles: a later app registers the kind of object a role is scoped to (villages, partners).

The invitation form and the services read this registry, so adding committee members (scoped to a
village) or partner staff (scoped to a partner) needs no change to the invitation mechanism.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class ScopeKind:
    role: str
    model_label: str  # "app_label.ModelName"
    label: str  # the form's label for the scope field
    choices: Callable[[object], QuerySet]  # territory -> objects one may be scoped to


SCOPES: dict[str, ScopeKind] = {}


def register_scope(*, role: str, model_label: str, label: str, choices: Callable[[object], QuerySet]) -> None:
    SCOPES[role] = ScopeKind(role=role, model_label=model_label, label=label, choices=choices)


def scope_kind(role: str) -> ScopeKind | None:
    return SCOPES.get(role)
