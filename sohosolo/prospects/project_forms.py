"""The public project form (/<lang>/projet/): a short form, optional details, consents, robot traps.

Robots are kept out by a honeypot field, a minimum fill time and the rate limit of the view. The fill
time and the source of the visit (UTM parameters, referrer, landing page) travel in one signed hidden
field, the *stamp*, issued when the page is shown: a POST cannot forge them, and a stamp that is
missing, forged or too old is refused with a clear message while every answer is kept.
"""

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from sohosolo.core.forms import check_honeypot, honeypot_field
from sohosolo.villages.models import Village

from .models import HeardFrom, Need, Sector, Timing, WorkStatus, normalise_phone

STAMP_SALT = "sohosolo.prospects.project-form.stamp"
# A person needs more than this to fill the short form; robots post at once.
MIN_FILL_SECONDS = 3
# A page left open longer than this must be sent again (its stamp has expired).
STAMP_MAX_AGE_SECONDS = 2 * 24 * 3600
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
SOURCE_LENGTHS = {**{name: 100 for name in UTM_FIELDS}, "referrer": 500, "landing_url": 500}
# Each field of the prospect a consent box sets, by purpose (see ConsentPurpose).
CONSENT_FIELDS = {
    "contact": "consent_contact",
    "share_villages": "consent_share_villages",
    "newsletter": "consent_newsletter",
}


class Messages:
    HONEYPOT = _(
        "Le projet n'a pas été envoyé : le champ « Ne remplissez pas ce champ », réservé à la détection "
        "des robots, a été rempli. Videz-le puis envoyez à nouveau."
    )
    STAMP_INVALID = _(
        "Le formulaire n'a pas pu être vérifié : la page a peut-être été ouverte il y a trop longtemps. "
        "Vos réponses sont conservées ci-dessous : relisez-les puis envoyez à nouveau."
    )
    TOO_FAST = _(
        "Le formulaire a été envoyé trop vite pour avoir été rempli par une personne. Vos réponses "
        "sont conservées ci-dessous : relisez-les puis envoyez à nouveau."
    )
    CONTACT_CONSENT_REQUIRED = _(
        "Cochez cette case pour envoyer votre projet : sans votre accord, les conseillers du territoire "
        "ne peuvent pas vous contacter."
    )
    PHONE_INVALID = _(
        "Ce numéro de téléphone ne semble pas valide. Indiquez-le avec l'indicatif si vous êtes à "
        "l'étranger, par exemple +33 6 12 34 56 78, ou laissez le champ vide."
    )
    AGES_WITHOUT_CHILDREN = _("Indiquez combien d'enfants vous accompagnent, ou videz le champ des âges.")


# --- The stamp: when the page was shown, and where the visit came from ----------------------------


@dataclass(frozen=True)
class Stamp:
    issued_at: float
    source: dict = field(default_factory=dict)

    @property
    def age_seconds(self) -> float:
        return time.time() - self.issued_at


def clean_source(raw: dict) -> dict:
    """Keep the known source keys only, as trimmed strings cut to the length of their field."""
    return {
        name: str(raw.get(name) or "").strip()[:length]
        for name, length in SOURCE_LENGTHS.items()
        if str(raw.get(name) or "").strip()
    }


def _without_fragment(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def source_from_request(request) -> dict:
    """The source of a visit to the form: UTM parameters of the page's URL, the referrer, the URL."""
    raw = {name: request.GET.get(name, "") for name in UTM_FIELDS}
    raw["referrer"] = _without_fragment(request.headers.get("Referer", ""))
    raw["landing_url"] = request.build_absolute_uri()
    return clean_source(raw)


def stamp_issue(source: dict | None = None, *, issued_at: float | None = None) -> str:
    """A signed stamp holding the time the form was shown and the source of the visit."""
    payload = {"t": issued_at if issued_at is not None else time.time(), "s": clean_source(source or {})}
    return signing.dumps(payload, salt=STAMP_SALT, compress=True)


def stamp_read(value: str) -> Stamp | None:
    """The stamp's content, or None when it is missing, forged or expired."""
    if not value:
        return None
    try:
        payload = signing.loads(value, salt=STAMP_SALT, max_age=STAMP_MAX_AGE_SECONDS)
        issued_at = float(payload["t"])
        source = clean_source(payload.get("s") or {})
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None
    return Stamp(issued_at=issued_at, source=source)


# --- Widgets and the form ------------------------------------------------------------------------


class ChoiceCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes of a multiple choice (rendered as a fieldset by the template)."""


class ProjectForm(forms.Form):
    """The project form: the short part first, then the optional details, then the consents."""

    # Short form.
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=100,
        error_messages={"required": _("Indiquez votre prénom.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom de famille"),
        max_length=100,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        error_messages={
            "required": _("Indiquez votre adresse e-mail."),
            "invalid": _("Indiquez une adresse e-mail complète, par exemple nom@exemple.fr."),
        },
        help_text=_("Nous vous y envoyons la confirmation et le lien vers « Mon espace »."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        required=False,
        max_length=30,
        help_text=_("Pour qu'un conseiller puisse vous appeler."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    current_location = forms.CharField(
        label=_("Où vivez-vous aujourd'hui ?"),
        error_messages={
            "required": _("Indiquez où vous vivez aujourd'hui (une ville, une région ou un pays).")
        },
        max_length=150,
        help_text=_("Une ville, une région ou un pays."),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    activity = forms.CharField(
        label=_("Votre activité"),
        error_messages={"required": _("Indiquez votre activité, en quelques mots.")},
        max_length=200,
        help_text=_("Par exemple : graphiste, développeur web, menuisière."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    sector = forms.ChoiceField(
        label=_("Secteur d'activité"),
        choices=[("", _("Choisissez un secteur"))],
        error_messages={"required": _("Choisissez le secteur de votre activité.")},
    )
    work_status = forms.ChoiceField(
        label=_("Votre situation professionnelle"),
        choices=WorkStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez votre situation professionnelle.")},
    )
    # Details (optional).
    adults = forms.IntegerField(
        label=_("Nombre d'adultes"),
        required=False,
        min_value=1,
        max_value=20,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    children = forms.IntegerField(
        label=_("Nombre d'enfants"),
        required=False,
        min_value=0,
        max_value=20,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    children_ages = forms.CharField(
        label=_("Âges des enfants"),
        required=False,
        max_length=60,
        help_text=_("Par exemple : 3, 7 et 12 ans."),
    )
    timing = forms.ChoiceField(
        label=_("Quand pensez-vous vous installer ?"),
        required=False,
        choices=Timing.choices,
        widget=forms.RadioSelect,
    )
    villages = forms.ModelMultipleChoiceField(
        label=_("Les villages qui vous intéressent"),
        required=False,
        queryset=Village.objects.none(),
        widget=ChoiceCheckboxes,
        help_text=_("Cochez un ou plusieurs villages d'accueil, ou « n'importe où dans le territoire »."),
    )
    anywhere = forms.BooleanField(label=_("N'importe où dans le territoire"), required=False)
    needs = forms.MultipleChoiceField(
        label=_("Ce que vous cherchez"), required=False, choices=Need.choices, widget=ChoiceCheckboxes
    )
    message = forms.CharField(
        label=_("Votre message"),
        required=False,
        max_length=5000,
        help_text=_("Votre projet en quelques lignes, vos questions."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    heard_from = forms.ChoiceField(
        label=_("Comment nous avez-vous connus ?"),
        required=False,
        choices=[("", _("Choisissez une réponse")), *HeardFrom.choices],
    )
    heard_from_detail = forms.CharField(
        label=_("Précisions"),
        required=False,
        max_length=200,
        help_text=_("Par exemple : le nom du salon, du journal ou du partenaire."),
    )
    # Consents: never ticked in advance.
    consent_contact = forms.BooleanField(
        label=_("J'accepte d'être contacté·e par les conseillers du territoire au sujet de mon projet."),
        required=True,
        error_messages={"required": Messages.CONTACT_CONSENT_REQUIRED},
    )
    consent_share_villages = forms.BooleanField(
        label=_(
            "J'accepte que mon projet et mes coordonnées soient transmis aux comités d'accueil des villages "
            "que j'ai choisis : nom, résumé du projet, échéance, composition du foyer, adresse e-mail et "
            "téléphone."
        ),
        required=False,
        help_text=_("Les bénévoles de ces villages pourront ainsi vous écrire ou vous appeler."),
    )
    consent_newsletter = forms.BooleanField(
        label=_("Je souhaite recevoir la lettre d'information du territoire."), required=False
    )
    # Robot traps.
    website = honeypot_field()
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)

    SHORT_FIELDS = ("first_name", "last_name", "email", "phone", "current_location")
    ACTIVITY_FIELDS = ("activity", "sector", "work_status")
    HOUSEHOLD_FIELDS = ("adults", "children", "children_ages")
    CONSENT_FIELD_NAMES = tuple(CONSENT_FIELDS.values())

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        self.fields["sector"].choices = [("", _("Choisissez un secteur")), *Sector.choices]
        self.fields["villages"].queryset = (
            Village.objects.of_territory(territory).published().select_related("commune")
        )
        self.stamp_data: Stamp | None = None

    # Groups, for the template.
    def _bound(self, names):
        return [self[name] for name in names]

    def short_fields(self):
        return self._bound(self.SHORT_FIELDS)

    def household_fields(self):
        return self._bound(self.HOUSEHOLD_FIELDS)

    def consent_fields(self):
        return self._bound(self.CONSENT_FIELD_NAMES)

    def has_villages(self) -> bool:
        return self.fields["villages"].queryset.exists()

    # Cleaning.
    def clean_first_name(self):
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if not phone:
            return ""
        allowed = set("0123456789+ .-()/")
        digits = normalise_phone(phone)
        if set(phone) - allowed or not 6 <= len(digits) <= 15 or "+" in phone[1:]:
            raise forms.ValidationError(Messages.PHONE_INVALID, code="phone")
        return phone

    def clean(self):
        data = super().clean()
        check_honeypot(data, Messages.HONEYPOT)
        if (data.get("children_ages") or "").strip() and data.get("children") == 0:
            self.add_error("children_ages", Messages.AGES_WITHOUT_CHILDREN)
        if self.errors:
            # The answers come back to be corrected anyway (with a stamp that still counts, see
            # stamp_for_redisplay): telling a person who forgot a field that they were "too fast"
            # would only confuse them. The stamp is checked on the post that could be accepted.
            return data
        stamp = stamp_read(data.get("stamp") or "")
        if stamp is None:
            raise forms.ValidationError(Messages.STAMP_INVALID, code="stamp")
        self.stamp_data = stamp
        if stamp.age_seconds < MIN_FILL_SECONDS:
            raise forms.ValidationError(Messages.TOO_FAST, code="too_fast")
        return data

    def stamp_for_redisplay(self, fresh_source: dict | None = None) -> str:
        """The stamp to put back in a refused form: the same one if it is genuine (its time still
        counts), else a fresh one (without source: a forged one's content is not trusted)."""
        submitted = self.data.get("stamp") or ""
        if stamp_read(submitted) is not None:
            return submitted
        return stamp_issue(fresh_source or {})

    # What the intake service needs.
    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "phone": data["phone"],
            "current_location": data["current_location"].strip(),
            "activity": data["activity"].strip(),
            "sector": data["sector"],
            "work_status": data["work_status"],
            "adults": data.get("adults"),
            "children": data.get("children"),
            "children_ages": (data.get("children_ages") or "").strip(),
            "timing": data.get("timing") or "",
            "anywhere": bool(data.get("anywhere")),
            "needs": [need for need in Need.values if need in (data.get("needs") or [])],
            "message": (data.get("message") or "").strip(),
            "heard_from": data.get("heard_from") or "",
            "heard_from_detail": (data.get("heard_from_detail") or "").strip(),
        }

    def consents(self) -> dict[str, bool]:
        return {purpose: bool(self.cleaned_data.get(name)) for purpose, name in CONSENT_FIELDS.items()}

    def source(self) -> dict:
        return dict(self.stamp_data.source) if self.stamp_data else {}
