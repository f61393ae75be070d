import importlib
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, migrations, transaction
from django.db.migrations.loader import MigrationLoader

from .factories import DEFAULT_PASSWORD, UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_the_email_is_the_login_and_there_is_no_username():
    assert User.USERNAME_FIELD == "email"
    assert User.REQUIRED_FIELDS == []
    assert "username" not in [field.name for field in User._meta.get_fields()]


def test_a_new_user_s_email_is_stored_in_lower_case():
    user = User.objects.create_user("Claire.Martin@Exemple.FR", password=DEFAULT_PASSWORD)

    assert user.email == "claire.martin@exemple.fr"
    assert str(user) == "claire.martin@exemple.fr"
    assert user.check_password(DEFAULT_PASSWORD)
    assert not user.is_staff and not user.is_superuser


def test_the_same_email_in_another_case_cannot_register_twice():
    User.objects.create_user("A@x.fr", password=DEFAULT_PASSWORD)

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("a@x.fr", password=DEFAULT_PASSWORD)

    assert User.objects.count() == 1


def test_the_database_refuses_a_case_variant_even_when_the_model_is_bypassed():
    first = UserFactory(email="a@x.fr")
    second = UserFactory(email="b@x.fr")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=second.pk).update(email="A@X.FR")

    assert User.objects.get(pk=first.pk).email == "a@x.fr"


def test_an_email_is_required():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user("", password=DEFAULT_PASSWORD)


def test_create_superuser_makes_a_staff_superuser_who_can_open_the_admin(client):
    admin = User.objects.create_superuser("Admin@Exemple.fr", password=DEFAULT_PASSWORD)

    assert admin.is_staff and admin.is_superuser and admin.is_active
    assert admin.email == "admin@exemple.fr"
    assert admin.check_password(DEFAULT_PASSWORD)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_create_superuser_refuses_a_superuser_without_staff_rights():
    with pytest.raises(ValueError, match="is_staff=True"):
        User.objects.create_superuser("x@exemple.fr", password=DEFAULT_PASSWORD, is_staff=False)


def test_the_createsuperuser_command_asks_only_for_an_email(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", DEFAULT_PASSWORD)

    call_command("createsuperuser", "--noinput", "--email", "Boss@Exemple.fr", stdout=StringIO())

    assert User.objects.get(email="boss@exemple.fr").is_superuser


def test_accounts_0001_initial_is_the_migration_that_creates_the_user_model():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    migration = loader.get_migration("accounts", "0001_initial")
    creates = [op for op in migration.operations if isinstance(op, migrations.CreateModel)]

    assert migration.initial
    assert [op.name for op in creates] == ["User"]
    fields = dict(creates[0].fields)
    assert fields["email"].unique
    assert "username" not in fields
    assert [c.name for c in creates[0].options["constraints"]] == ["accounts_user_email_ci_unique"]
    assert ("accounts", "0001_initial") in loader.graph.root_nodes("accounts")
    module = importlib.import_module("sohosolo.accounts.migrations.0001_initial")
    assert module.Migration is type(migration)
