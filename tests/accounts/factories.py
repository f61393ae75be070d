import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

DEFAULT_PASSWORD = "un mot de passe solide"


class UserFactory(DjangoModelFactory):
    """A user created through the manager, so the email is normalised and the password hashed."""

    class Meta:
        model = get_user_model()

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")

    class Params:
        admin = factory.Trait(is_staff=True, is_superuser=True)

    @classmethod
    def _create(cls, model_class, *args, password=DEFAULT_PASSWORD, **kwargs):
        return model_class.objects.create_user(*args, password=password, **kwargs)
