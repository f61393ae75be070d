"""Sample accounts: one per role in each sample territory (development only, labelled as sample)."""

from django.db import transaction

from sohosolo.territories.models import Territory

from .models import Membership, Role, User

SAMPLE_NAMES = {
    Role.PROSPECT: ("Camille", "porteur"),
    Role.MEMBER: ("Louis", "solo"),
    Role.COMMITTEE: ("Jeanne", "comite"),
    Role.PARTNER: ("Hugo", "partenaire"),
    Role.ADVISOR: ("Inès", "conseiller"),
    Role.TERRITORY_ADMIN: ("Marc", "admin"),
}


@transaction.atomic
def accounts_load_sample(*, password: str) -> list[tuple[str, str, str]]:
    """Create (or keep) the sample accounts; return (email, role label, territory) rows."""
    rows = []
    superuser, created = User.objects.get_or_create(
        email="plateforme@soho-solo.example",
        defaults={
            "first_name": "Alex",
            "last_name": "Plateforme",
            "is_staff": True,
            "is_superuser": True,
            "is_sample": True,
        },
    )
    if created:
        superuser.set_password(password)
        superuser.save()
    rows.append((superuser.email, "administrateur de la plateforme", "—"))
    for territory in Territory.objects.filter(is_sample=True).order_by("slug"):
        for role, (first_name, local) in SAMPLE_NAMES.items():
            user, created = User.objects.get_or_create(
                email=f"{local}@{territory.slug}.soho-solo.example",
                defaults={"first_name": first_name, "last_name": "Exemple", "is_sample": True},
            )
            if created:
                user.set_password(password)
                user.save()
                from allauth.account.models import EmailAddress

                EmailAddress.objects.get_or_create(
                    user=user, email=user.email, defaults={"verified": True, "primary": True}
                )
            Membership.objects.get_or_create(
                user=user, territory=territory, role=role, scope_type=None, scope_id=None
            )
            rows.append((user.email, str(role.label), territory.name))
    return rows
