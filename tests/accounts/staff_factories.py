"""Factories and helpers for roles (memberships) and invitations in the staff area's tests."""

import hashlib
import secrets
from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from sohosolo.accounts.models import Invitation, Membership, Role
from tests.territories.factories import TerritoryFactory

from .factories import UserFactory


class MembershipFactory(DjangoModelFactory):
    """A role without scope; the territory defaults to a fresh one (pass territory=gers to share)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    territory = factory.SubFactory(TerritoryFactory)
    role = Role.PROSPECT


class InvitationFactory(DjangoModelFactory):
    """A pending invitation stored directly (no email sent); ``token`` is the clear link token."""

    class Meta:
        model = Invitation

    territory = factory.SubFactory(TerritoryFactory)
    email = factory.Sequence(lambda n: f"invite{n}@exemple.fr")
    role = Role.ADVISOR
    language = "fr"
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.token.encode()).hexdigest())
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))

    @classmethod
    def _create(cls, model_class, *args, token, **kwargs):
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.token = token  # not stored: the link's token, for the test to open
        return invitation


def verified_user(**user_fields):
    """A user whose email address is verified, so allauth lets them log in (verification is mandatory)."""
    from allauth.account.models import EmailAddress

    user = UserFactory(**user_fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def member(territory, role: str, **user_fields):
    """A new user holding ``role`` in ``territory``."""
    user = verified_user(**user_fields)
    MembershipFactory(user=user, territory=territory, role=role)
    return user
