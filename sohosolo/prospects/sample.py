"""Sample prospects for the demonstration (not real people: « Donnée d'exemple », emails on .example).

Drawn from a seeded generator, so every run plans the same people; each is looked up by its email
before it is created, so loading twice creates nothing new. Stages, activities and consents go
through the same services as real ones (timeline, ledger and stage history are consistent).
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from sohosolo.accounts.models import Membership, Role, User
from sohosolo.territories.models import Territory

from . import services
from .models import (
    FUNNEL,
    ActivityCreated,
    ActivityKind,
    Channel,
    ConsentPurpose,
    ConsentSource,
    HeardFrom,
    HelpfulAction,
    LostReason,
    Need,
    Outcome,
    Prospect,
    Sector,
    Stage,
    Timing,
    WorkStatus,
)

SEED = 7
COUNT = 40
FIRST_NAMES = [
    "Camille", "Léa", "Hugo", "Manon", "Nathan", "Chloé", "Lucas", "Emma", "Théo", "Inès",
    "Julien", "Sarah", "Antoine", "Pauline", "Maxime", "Claire", "Romain", "Lucie", "Thomas", "Anaïs",
]  # fmt: skip
CITIES = ["Lyon", "Paris", "Bordeaux", "Toulouse", "Nantes", "Lille", "Marseille", "Bruxelles", "Genève"]
ACTIVITIES = [
    ("Graphiste indépendante", Sector.CREATIVE),
    ("Développeur web", Sector.DIGITAL),
    ("Consultante en ressources humaines", Sector.CONSULTING),
    ("Ébéniste", Sector.CRAFT),
    ("Traductrice", Sector.CREATIVE),
    ("Ostéopathe", Sector.HEALTH),
    ("Reprise d'une épicerie", Sector.TRADE),
    ("Chambres d'hôtes", Sector.TOURISM),
    ("Maraîchage bio", Sector.AGRICULTURE),
    ("Formateur en bureautique", Sector.CONSULTING),
]
# Stage of each sample prospect, weighted like a real year (many contacts, few installed).
STAGE_WEIGHTS = [
    (Stage.CONTACT, 12),
    (Stage.QUALIFIED, 8),
    (Stage.CANDIDATE, 6),
    (Stage.INSTALLING, 4),
    (Stage.INSTALLED, 5),
    (Stage.LOST, 5),
]
NOTES = [
    "Texte d'exemple. Premier appel : projet clair, cherche une maison avec jardin.",
    "Texte d'exemple. A besoin de la fibre pour travailler ; regarde les villages équipés.",
    "Texte d'exemple. Souhaite visiter deux villages au printemps.",
    "Texte d'exemple. Rendez-vous à la CCI pour le plan de financement.",
]


def _path_to(stage: str) -> list[str]:
    """The stages to go through, in order, to reach ``stage`` from contact."""
    if stage == Stage.LOST:
        return [Stage.QUALIFIED, Stage.LOST]
    return FUNNEL[1 : FUNNEL.index(stage) + 1]


@transaction.atomic
def prospects_load_sample(*, territory: Territory) -> int:
    """Create the sample prospects of a sample territory; return how many were created."""
    rng = random.Random(f"{SEED}-{territory.slug}")
    villages = list(territory.villages.filter(status="published").order_by("pk"))
    communes = list(territory.communes.order_by("code")[:60])
    advisor = (
        User.objects.filter(memberships__territory=territory, memberships__role=Role.ADVISOR)
        .order_by("pk")
        .first()
    )
    stages = [stage for stage, weight in STAGE_WEIGHTS for _ in range(weight)]
    now = timezone.now()
    created = 0
    for index in range(COUNT):
        first_name = FIRST_NAMES[index % len(FIRST_NAMES)]
        email = f"porteur-{index + 1:02d}@{territory.slug}.exemple.example"
        stage = stages[index % len(stages)]
        activity, sector = rng.choice(ACTIVITIES)
        created_at = now - timedelta(days=rng.randint(5, 330))
        if Prospect.objects.filter(territory=territory, email=email).exists():
            continue
        prospect = Prospect.objects.create(
            territory=territory,
            first_name=first_name,
            last_name="Exemple",
            email=email,
            phone=f"06 00 00 {index // 100:02d} {index % 100:02d}",
            current_location=rng.choice(CITIES),
            activity=activity,
            sector=sector,
            work_status=rng.choice(WorkStatus.values),
            adults=rng.choice([1, 2, 2]),
            children=rng.choice([0, 0, 1, 2]),
            timing=rng.choice(Timing.values),
            needs=rng.sample(Need.values, k=2),
            message="Texte d'exemple. Nous cherchons un village calme avec une école et la fibre.",
            heard_from=rng.choice(HeardFrom.values),
            channel=rng.choice([Channel.FORM, Channel.FORM, Channel.FORM, Channel.FAIR, Channel.PHONE]),
            utm_source=rng.choice(["", "", "newsletter", "salon-paris", "facebook"]),
            advisor=advisor if stage != Stage.CONTACT else None,
            created_at=created_at,
            stage_changed_at=created_at,
            last_inbound_at=created_at,
            is_sample=True,
        )
        chosen = rng.sample(villages, k=min(len(villages), rng.randint(0, 2)))
        prospect.villages.set(chosen)
        for purpose, granted in (
            (ConsentPurpose.CONTACT, True),
            (ConsentPurpose.SHARE_VILLAGES, bool(chosen) and rng.random() < 0.7),
            (ConsentPurpose.NEWSLETTER, rng.random() < 0.4),
        ):
            services.consent_record(
                prospect=prospect,
                purpose=purpose,
                granted=granted,
                source=ConsentSource.PROJECT_FORM
                if prospect.channel == Channel.FORM
                else ConsentSource.STAFF,
                basis=""
                if prospect.channel == Channel.FORM
                else "Donnée d'exemple : accord oral lors du contact.",
                at=created_at,
            )
        when = created_at
        for step in _path_to(stage):
            when = min(now, when + timedelta(days=rng.randint(3, 25)))
            services.activity_record(
                prospect=prospect,
                kind=rng.choice([ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING]),
                text=rng.choice(NOTES),
                outcome=Outcome.DONE,
                by=advisor,
                occurred_at=when,
            )
            installation = None
            if step == Stage.INSTALLED:
                installation = {
                    "installed_commune": (chosen[0].commune if chosen else rng.choice(communes)),
                    "installed_on": when.date(),
                    "installed_adults": prospect.adults,
                    "installed_children": prospect.children,
                    "activity_created": rng.choice(ActivityCreated.values),
                    "jobs_created": rng.choice([1, 1, 2]),
                    "first_contact_before_move": True,
                    "helpful_actions": rng.sample(HelpfulAction.values, k=2),
                }
            services.prospect_transition(
                prospect=prospect,
                to=step,
                by=advisor,
                reason=LostReason.ABANDONED if step == Stage.LOST else "",
                note="Texte d'exemple." if step == Stage.LOST else "",
                installation=installation,
                at=when,
            )
        if stage not in (Stage.INSTALLED, Stage.LOST) and advisor is not None:
            prospect.refresh_from_db()
            services.prospect_set_next_action(
                prospect=prospect,
                on=(now + timedelta(days=rng.randint(-5, 14))).date(),
                what=rng.choice(["Rappeler", "Envoyer la liste des logements", "Proposer une visite"]),
                by=advisor,
            )
        created += 1
    created += _sample_account_project(territory, villages)
    return created


def _sample_account_project(territory: Territory, villages) -> int:
    """The project of the sample prospect account (porteur@<slug>.soho-solo.example), for « Mon espace »."""
    user = User.objects.filter(
        memberships__territory=territory, memberships__role=Role.PROSPECT, is_sample=True
    ).first()
    if user is None or Prospect.objects.filter(territory=territory, user=user).exists():
        return 0
    prospect = Prospect.objects.create(
        territory=territory,
        user=user,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        activity="Designer graphique",
        sector=Sector.CREATIVE,
        work_status=WorkStatus.FREELANCE,
        current_location="Lyon",
        adults=2,
        children=1,
        children_ages="6",
        timing=Timing.SIX_TO_12,
        needs=[Need.RENT, Need.CHILDCARE],
        message="Texte d'exemple. Nous cherchons un village avec une école et la fibre.",
        is_sample=True,
    )
    prospect.villages.set(villages[:1])
    for purpose in (ConsentPurpose.CONTACT, ConsentPurpose.SHARE_VILLAGES):
        services.consent_record(
            prospect=prospect, purpose=purpose, granted=True, source=ConsentSource.PROJECT_FORM
        )
    Membership.objects.get_or_create(user=user, territory=territory, role=Role.PROSPECT)
    # A candidate, so the demonstration shows an open passport in « Mon espace » (journey 3).
    advisor = User.objects.filter(memberships__territory=territory, memberships__role=Role.ADVISOR).first()
    if advisor is not None:
        services.prospect_assign(prospect=prospect, advisor=advisor, by=advisor)
    for step in (Stage.QUALIFIED, Stage.CANDIDATE):
        services.prospect_transition(prospect=prospect, to=step, by=advisor)
    return 1
