"""Sample partners and their offers (not real data: shown as « Donnée d'exemple »).

For each sample territory, eight partners of different kinds, placed at the centre of real communes
(open data), each with one or two offers to passport holders. Everything has ``is_sample=True`` and
is looked up by a natural key (territory + slug, partner + French title) before it is created, so
loading twice creates nothing new and keeps what staff changed. The sample partner account
(``partenaire@<territory>.soho-solo.example``, from load_sample_accounts) becomes staff of the
sample notary.
"""

from dataclasses import dataclass, field
from io import BytesIO

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from sohosolo.accounts.models import Membership, Role, User
from sohosolo.territories.models import Commune, Territory

from .models import Offer, Partner, PartnerKind

SAMPLE_TEXT = {
    "fr": "Texte d'exemple. ",
    "en": "Sample text. ",
    "es": "Texto de ejemplo. ",
    "pt": "Texto de exemplo. ",
}


def _offer(titles: dict, description: dict, conditions: dict | None = None, uses: int = 1) -> dict:
    return {"title": titles, "description": description, "conditions": conditions or {}, "uses": uses}


FREE_CONSULTATION = _offer(
    {
        "fr": "Première consultation gratuite",
        "en": "First consultation free of charge",
        "es": "Primera consulta gratuita",
        "pt": "Primeira consulta gratuita",
    },
    {
        "fr": "Un rendez-vous d'une heure pour faire le point sur votre projet.",
        "en": "A one-hour appointment to review your project.",
    },
    {"fr": "Sur rendez-vous.", "en": "By appointment."},
)

# (slug key, kind, name pattern, commune code per territory, description, offers)
PARTNERS = [
    {
        "key": "cci",
        "kind": PartnerKind.CHAMBER,
        "name": {"gers": "CCI du Gers", "landes": "CCI des Landes"},
        "commune": {"gers": "32013", "landes": "40192"},
        "description": {
            "fr": "La chambre de commerce et d'industrie accompagne la création et la reprise d'entreprise : "
            "formalités, formation, mise en relation avec les réseaux locaux.",
            "en": "The chamber of commerce helps you start or take over a business: formalities, training, "
            "introductions to local networks.",
        },
        "offers": [
            _offer(
                {
                    "fr": "Rendez-vous création d'entreprise offert",
                    "en": "Free business start-up appointment",
                    "es": "Cita gratuita de creación de empresa",
                    "pt": "Reunião gratuita de criação de empresa",
                },
                {
                    "fr": "Un conseiller relit votre projet et vous indique les étapes de l'installation.",
                    "en": "An advisor reviews your project and explains the steps to set up.",
                },
            ),
            _offer(
                {
                    "fr": "Formalités d'immatriculation accompagnées",
                    "en": "Registration formalities with support",
                    "es": "Trámites de registro acompañados",
                    "pt": "Formalidades de registo acompanhadas",
                },
                {
                    "fr": "Le dossier d'immatriculation rempli avec vous.",
                    "en": "The registration file filled in with you.",
                },
            ),
        ],
    },
    {
        "key": "urssaf",
        "kind": PartnerKind.URSSAF,
        "name": {"gers": "URSSAF Midi-Pyrénées – Gers", "landes": "URSSAF Aquitaine – Landes"},
        "commune": {"gers": "32013", "landes": "40192"},
        "description": {
            "fr": "L'URSSAF explique aux indépendants leurs cotisations sociales et les aides à la création.",
            "en": "URSSAF explains social contributions and start-up support to the self-employed.",
        },
        "offers": [
            _offer(
                {
                    "fr": "Rendez-vous « installation des indépendants »",
                    "en": '"Setting up as self-employed" appointment',
                    "es": "Cita «instalación de autónomos»",
                    "pt": "Reunião «instalação de independentes»",
                },
                {
                    "fr": "Vos cotisations, le calendrier des déclarations et l'aide ACRE expliqués.",
                    "en": "Your contributions, the declaration calendar and the ACRE aid explained.",
                },
            )
        ],
    },
    {
        "key": "cma",
        "kind": PartnerKind.CHAMBER,
        "name": {
            "gers": "Chambre de Métiers et de l'Artisanat du Gers",
            "landes": "Chambre de Métiers et de l'Artisanat des Landes",
        },
        "commune": {"gers": "32013", "landes": "40192"},
        "description": {
            "fr": "La chambre de métiers accompagne les artisans : stage de préparation à l'installation, "
            "reprise d'entreprise artisanale, apprentissage.",
            "en": "The chamber of trades supports craftspeople: preparation course, takeover of a craft "
            "business, apprenticeships.",
        },
        "offers": [
            _offer(
                {
                    "fr": "Stage de préparation à l'installation : moitié prix",
                    "en": "Business preparation course: half price",
                    "es": "Curso de preparación a la instalación: mitad de precio",
                    "pt": "Curso de preparação para a instalação: metade do preço",
                },
                {"fr": "Le stage de quatre jours à moitié prix.", "en": "The four-day course at half price."},
                {"fr": "Pour une activité artisanale.", "en": "For a craft business."},
            ),
            _offer(
                {
                    "fr": "Diagnostic de reprise d'entreprise",
                    "en": "Business takeover assessment",
                    "es": "Diagnóstico de adquisición de empresa",
                    "pt": "Diagnóstico de aquisição de empresa",
                },
                {
                    "fr": "Un regard extérieur sur l'entreprise que vous envisagez de reprendre.",
                    "en": "An outside view of the business you plan to take over.",
                },
            ),
        ],
    },
    {
        "key": "bge",
        "kind": PartnerKind.ASSOCIATION,
        "name": {"gers": "Boutique de Gestion du Gers", "landes": "Boutique de Gestion des Landes"},
        "commune": {"gers": "32132", "landes": "40088"},
        "description": {
            "fr": "La Boutique de Gestion aide à construire le projet : étude de marché, prévisionnel "
            "financier, recherche de financements.",
            "en": "The Boutique de Gestion helps build the project: market study, financial forecast, "
            "finding funding.",
        },
        "offers": [
            _offer(
                {
                    "fr": "Étude de faisabilité offerte",
                    "en": "Free feasibility study",
                    "es": "Estudio de viabilidad gratuito",
                    "pt": "Estudo de viabilidade gratuito",
                },
                {
                    "fr": "Votre projet confronté à son marché.",
                    "en": "Your project checked against its market.",
                },
            ),
            _offer(
                {
                    "fr": "Ateliers « prévisionnel financier »",
                    "en": '"Financial forecast" workshops',
                    "es": "Talleres «previsión financiera»",
                    "pt": "Oficinas «previsão financeira»",
                },
                {
                    "fr": "Trois ateliers collectifs pour bâtir votre plan de financement.",
                    "en": "Three group workshops to build your financing plan.",
                },
                uses=3,
            ),
        ],
    },
    {
        "key": "notaire",
        "kind": PartnerKind.NOTARY,
        "name": {"gers": "Étude notariale de Condom", "landes": "Étude notariale de Dax"},
        "commune": {"gers": "32107", "landes": "40088"},
        "description": {
            "fr": "L'étude conseille pour l'achat d'un logement ou d'un local, la création de société et "
            "la transmission.",
            "en": "The notary's office advises on buying a home or premises, setting up a company and "
            "succession.",
        },
        "offers": [FREE_CONSULTATION],
    },
    {
        "key": "avocat",
        "kind": PartnerKind.LAWYER,
        "name": {"gers": "Cabinet d'avocats de Mirande", "landes": "Cabinet d'avocats de Saint-Sever"},
        "commune": {"gers": "32256", "landes": "40282"},
        "description": {
            "fr": "Le cabinet conseille les indépendants : statuts, contrats, baux commerciaux.",
            "en": "The law firm advises the self-employed: articles of association, contracts, commercial "
            "leases.",
        },
        "offers": [
            _offer(
                {
                    "fr": "Relecture de vos statuts offerte",
                    "en": "Free review of your articles of association",
                    "es": "Revisión gratuita de sus estatutos",
                    "pt": "Revisão gratuita dos seus estatutos",
                },
                {
                    "fr": "Une relecture et un rendez-vous de trente minutes.",
                    "en": "A review and a thirty-minute meeting.",
                },
            )
        ],
    },
    {
        "key": "banque",
        "kind": PartnerKind.BANK,
        "name": {"gers": "Banque, agence de Lectoure", "landes": "Banque, agence d'Aire-sur-l'Adour"},
        "commune": {"gers": "32208", "landes": "40001"},
        "description": {
            "fr": "L'agence finance la création et la reprise d'activité et ouvre les comptes professionnels.",
            "en": "The branch finances business start-ups and takeovers and opens business accounts.",
        },
        "offers": [
            _offer(
                {
                    "fr": "Rendez-vous « plan de financement »",
                    "en": '"Financing plan" appointment',
                    "es": "Cita «plan de financiación»",
                    "pt": "Reunião «plano de financiamento»",
                },
                {
                    "fr": "Un conseiller professionnel étudie votre besoin de financement.",
                    "en": "A business advisor studies your financing needs.",
                },
            ),
            _offer(
                {
                    "fr": "Compte professionnel sans frais la première année",
                    "en": "Business account free of charge for the first year",
                    "es": "Cuenta profesional sin gastos el primer año",
                    "pt": "Conta profissional sem custos no primeiro ano",
                },
                {
                    "fr": "Frais de tenue de compte offerts pendant douze mois.",
                    "en": "No account fees for twelve months.",
                },
                {
                    "fr": "Pour une première ouverture de compte professionnel.",
                    "en": "For a first business account.",
                },
            ),
        ],
    },
    {
        "key": "coworking",
        "kind": PartnerKind.COWORKING,
        "name": {"gers": "Coworking de Marciac", "landes": "Coworking de Soustons"},
        "commune": {"gers": "32233", "landes": "40310"},
        "description": {
            "fr": "Un espace de travail partagé avec la fibre, une salle de réunion et une cuisine.",
            "en": "A shared workspace with fibre, a meeting room and a kitchen.",
        },
        "offers": [
            _offer(
                {
                    "fr": "Cinq journées de coworking offertes",
                    "en": "Five coworking days free of charge",
                    "es": "Cinco días de coworking gratuitos",
                    "pt": "Cinco dias de coworking gratuitos",
                },
                {
                    "fr": "Un poste de travail à la journée, cinq fois.",
                    "en": "A desk for the day, five times.",
                },
                uses=5,
            )
        ],
    },
]

SAMPLE_PARTNER_ACCOUNT = "partenaire@{slug}.soho-solo.example"
SAMPLE_PARTNER_OF_ACCOUNT = "notaire"
LOGO_COLOURS = {
    PartnerKind.CHAMBER: (31, 92, 61),
    PartnerKind.URSSAF: (29, 79, 122),
    PartnerKind.ASSOCIATION: (138, 59, 18),
    PartnerKind.NOTARY: (91, 42, 110),
    PartnerKind.LAWYER: (20, 61, 40),
    PartnerKind.BANK: (92, 59, 0),
    PartnerKind.COWORKING: (161, 0, 27),
}


@dataclass
class SampleReport:
    created: dict = field(default_factory=dict)

    def add(self, name: str, n: int = 1) -> None:
        self.created[name] = self.created.get(name, 0) + n

    def lines(self) -> list[str]:
        return [f"{name} créé(s) : {n}" for name, n in self.created.items()] or ["rien de nouveau"]


def _texts(values: dict, *, prefix: bool) -> dict:
    """Per-language columns; the sample descriptions start by saying they are samples."""
    out = {}
    for lang in ("fr", "en", "es", "pt"):
        text = values.get(lang, "")
        out[lang] = (SAMPLE_TEXT[lang] + text) if (prefix and text) else text
    return out


def _font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def sample_logo(name: str, kind: str, slug: str) -> ContentFile:
    """A plain square logo with the partner's initials (a drawing, not the organisation's logo)."""
    side = 240
    image = Image.new("RGB", (side, side), LOGO_COLOURS.get(kind, (74, 82, 77)))
    draw = ImageDraw.Draw(image)
    words = [w for w in name.replace("'", " ").replace("–", " ").split() if w[:1].isupper()]
    initials = "".join(w[0] for w in words[:3]) or name[:1].upper()
    font = _font(96 if len(initials) < 3 else 72)
    draw.text((side / 2, side / 2), initials, fill=(255, 255, 255), font=font, anchor="mm")
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=f"{slug}-exemple.jpg")


def _commune(territory: Territory, code: str) -> Commune | None:
    return Commune.objects.of_territory(territory).filter(code=code).first()


@transaction.atomic
def partners_load_sample(*, territory: Territory, report: SampleReport | None = None) -> SampleReport:
    """Create the missing sample partners and offers of the territory; scope the sample partner account."""
    report = report or SampleReport()
    for spec in PARTNERS:
        slug = f"{spec['key']}-exemple"
        partner = Partner.objects.filter(territory=territory, slug=slug).first()
        if partner is None:
            name = spec["name"].get(territory.slug) or f"{spec['name']['gers']} ({territory.name})"
            commune = _commune(territory, spec["commune"].get(territory.slug, ""))
            descriptions = _texts(spec["description"], prefix=True)
            partner = Partner(
                territory=territory,
                slug=slug,
                name=name,
                kind=spec["kind"],
                commune=commune,
                lat=commune.lat if commune else None,
                lon=commune.lon if commune else None,
                email=f"contact@{spec['key']}.{territory.slug}.soho-solo.example",
                is_published=True,
                is_sample=True,
                **{f"description_{lang}": text for lang, text in descriptions.items()},
            )
            partner.logo = sample_logo(name, spec["kind"], slug)
            partner.save()
            report.add("partenaires")
        for offer_spec in spec["offers"]:
            titles = _texts(offer_spec["title"], prefix=False)
            if Offer.objects.filter(partner=partner, title_fr=titles["fr"]).exists():
                continue
            offer = Offer(
                partner=partner, uses_per_passport=offer_spec["uses"], is_active=True, is_sample=True
            )
            for column, values, prefix in (
                ("title", titles, False),
                ("description", offer_spec["description"], True),
                ("conditions", offer_spec["conditions"], False),
            ):
                for lang, text in _texts(values, prefix=prefix).items():
                    setattr(offer, f"{column}_{lang}", text)
            offer.save()
            report.add("offres")
    _scope_sample_account(territory, report)
    return report


def _scope_sample_account(territory: Territory, report: SampleReport) -> None:
    """The sample partner account becomes staff of the sample notary (a partner role with a scope)."""
    user = User.objects.filter(email=SAMPLE_PARTNER_ACCOUNT.format(slug=territory.slug)).first()
    notary = Partner.objects.filter(territory=territory, slug=f"{SAMPLE_PARTNER_OF_ACCOUNT}-exemple").first()
    if user is None or notary is None:
        return
    _membership, created = Membership.objects.get_or_create(
        user=user,
        territory=territory,
        role=Role.PARTNER,
        scope_type=ContentType.objects.get_for_model(Partner),
        scope_id=notary.pk,
    )
    if created:
        report.add("rattachements du compte partenaire")
