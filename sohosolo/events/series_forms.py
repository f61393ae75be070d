"""Staff forms of the agenda: a series with a friendly recurrence builder, one occurrence, cancel, move.

The forms check types and turn the builder's choices into an RFC 5545 RRULE; the business rules
(a rule that gives dates, a village of the territory, the capacity above the registrations…) are in
``series_services``, which raises ``SeriesError`` with a field name shown on the form.
"""

import re
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sohosolo.core.forms import OTHER_LANGUAGES, TranslationsMixin
from sohosolo.services.forms import CoordinateField
from sohosolo.villages.models import Village

from .models import Audience, EventKind, Occurrence, Series
from .recurrence import RecurrenceError, parse_rule, to_local_naive

MAX_QUESTIONS = 5
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Frequency:
    ONCE = "once"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    CUSTOM = "custom"

    choices = [
        (ONCE, _("Une seule fois")),
        (WEEKLY, _("Chaque semaine, le même jour")),
        (BIWEEKLY, _("Toutes les deux semaines, le même jour")),
        (MONTHLY, _("Chaque mois, le même jour de la semaine (par exemple le premier vendredi)")),
        (CUSTOM, _("Règle personnalisée (RRULE, pour les experts)")),
    ]


ORDINALS = {
    1: pgettext_lazy("weekday of the month", "premier"),
    2: pgettext_lazy("weekday of the month", "deuxième"),
    3: pgettext_lazy("weekday of the month", "troisième"),
    4: pgettext_lazy("weekday of the month", "quatrième"),
    -1: pgettext_lazy("weekday of the month", "dernier"),
}


def week_of_month(day: date) -> int:
    """1 to 4 for the first to fourth such weekday of the month; -1 for a fifth (the last one)."""
    number = (day.day - 1) // 7 + 1
    return number if number <= 4 else -1


def builder_rrule(frequency: str, first_date: date, *, until: date | None = None, custom: str = "") -> str:
    """The RRULE value of the builder's choice (the weekday is the first date's)."""
    weekday = WEEKDAYS[first_date.weekday()]
    if frequency == Frequency.ONCE:
        return ""
    if frequency == Frequency.WEEKLY:
        rule = f"FREQ=WEEKLY;BYDAY={weekday}"
    elif frequency == Frequency.BIWEEKLY:
        rule = f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}"
    elif frequency == Frequency.MONTHLY:
        rule = f"FREQ=MONTHLY;BYDAY={week_of_month(first_date)}{weekday}"
    else:
        rule = custom.strip()
        if rule.upper().startswith("RRULE:"):
            rule = rule[6:]
        return rule.upper().replace(" ", "")
    if until:
        rule += f";UNTIL={until:%Y%m%d}T235959"
    return rule


_KNOWN = re.compile(
    r"^FREQ=(?P<freq>WEEKLY|MONTHLY)"
    r"(?:;INTERVAL=(?P<interval>\d+))?"
    r";BYDAY=(?P<byday>-?\d?[A-Z]{2})"
    r"(?:;UNTIL=(?P<until>\d{8})(?:T\d{6}Z?)?)?$"
)


def builder_choice(rrule: str, first_date: date) -> tuple[str, date | None]:
    """The builder's choice (frequency, until) that gives back this RRULE, else CUSTOM."""
    if not rrule.strip():
        return Frequency.ONCE, None
    match = _KNOWN.match(rrule.strip().upper())
    if match:
        until = datetime.strptime(match["until"], "%Y%m%d").date() if match["until"] else None
        for frequency in (Frequency.WEEKLY, Frequency.BIWEEKLY, Frequency.MONTHLY):
            if builder_rrule(frequency, first_date, until=until) == rrule.strip().upper():
                return frequency, until
    return Frequency.CUSTOM, None


def describe_rule(series: Series) -> str:
    """The recurrence in words for the staff list (the builder's wording, or the RRULE text)."""
    from django.utils.formats import date_format

    local = to_local_naive(series.dtstart, series.timezone)
    frequency, until = builder_choice(series.rrule, local.date())
    weekday = date_format(local, "l")
    hour = local.strftime("%H:%M")
    if frequency == Frequency.ONCE:
        text = _("Une seule fois, le %(date)s à %(time)s") % {
            "date": date_format(local, "j F Y"),
            "time": hour,
        }
    elif frequency == Frequency.WEEKLY:
        text = _("Chaque %(weekday)s à %(time)s") % {"weekday": weekday, "time": hour}
    elif frequency == Frequency.BIWEEKLY:
        text = _("Un %(weekday)s sur deux à %(time)s") % {"weekday": weekday, "time": hour}
    elif frequency == Frequency.MONTHLY:
        text = _("Le %(ordinal)s %(weekday)s du mois à %(time)s") % {
            "ordinal": ORDINALS[week_of_month(local.date())],
            "weekday": weekday,
            "time": hour,
        }
    else:
        text = _("Règle personnalisée : %(rule)s") % {"rule": series.rrule}
    if until:
        text = _("%(rule)s, jusqu'au %(date)s") % {"rule": text, "date": date_format(until, "j F Y")}
    return str(text)


def parse_dates(text: str) -> list[date]:
    """Dates typed one per line (or separated by commas): 23/12/2026 or 2026-12-23."""
    dates, wrong = [], []
    for item in re.split(r"[\s,;]+", text or ""):
        if not item:
            continue
        value = None
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                value = datetime.strptime(item, fmt).date()
                break
            except ValueError:
                continue
        if value is None:
            wrong.append(item)
        else:
            dates.append(value)
    if wrong:
        raise forms.ValidationError(
            _("Date illisible : %(values)s. Écrivez une date par ligne, par exemple 23/12/2026.")
            % {"values": ", ".join(wrong)}
        )
    return sorted(set(dates))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Village) -> str:
        return obj.commune.name if getattr(obj, "commune_id", None) else str(obj)


# --- Shared parts: translations, place, questions -----------------------------------------------------


class PlaceAndQuestionsMixin:
    """Capacity, place (address and position, or an online link), audience and up to 5 questions."""

    def _add_questions(self) -> None:
        self.question_names = []
        for index in range(1, MAX_QUESTIONS + 1):
            self.fields[f"question_{index}"] = forms.CharField(
                label=_("Question %(number)s") % {"number": index}, required=False, max_length=200
            )
            self.fields[f"question_{index}_required"] = forms.BooleanField(
                label=_("Réponse obligatoire"), required=False
            )
            self.question_names.append((f"question_{index}", f"question_{index}_required"))

    def question_rows(self):
        return [
            {"number": index, "label": self[label], "required": self[required]}
            for index, (label, required) in enumerate(self.question_names, start=1)
        ]

    def questions_initial(self, questions: list) -> dict:
        initial = {}
        for index, question in enumerate(questions or [], start=1):
            if index > MAX_QUESTIONS:
                break
            if isinstance(question, str):
                question = {"label": question}
            key = str(question.get("key") or f"q{index}")
            slot = int(key[1:]) if re.fullmatch(r"q[1-5]", key) else index
            label = question.get("label", "")
            if isinstance(label, dict):
                label = label.get(settings.LANGUAGE_CODE) or next(iter(label.values()), "")
            initial[f"question_{slot}"] = label
            initial[f"question_{slot}_required"] = bool(question.get("required"))
        return initial

    def cleaned_questions(self) -> list[dict]:
        """Keys follow the slot (q1…q5), so answers already given keep their question."""
        questions = []
        for index, (label_name, required_name) in enumerate(self.question_names, start=1):
            label = (self.cleaned_data.get(label_name) or "").strip()
            if label:
                questions.append(
                    {
                        "key": f"q{index}",
                        "label": label,
                        "required": bool(self.cleaned_data.get(required_name)),
                    }
                )
        return questions

    place_names = ("capacity", "address", "lat", "lon", "online_url")

    def place_fields(self):
        return [self[name] for name in self.place_names]

    def place_initial(self, obj: Series | Occurrence) -> dict:
        """The place, audience and questions of a series or an occurrence, as initial values."""
        initial = {name: getattr(obj, name) for name in (*self.place_names, "audience")}
        initial.update(self.questions_initial(obj.questions))
        return initial

    def place_data(self) -> dict:
        """The place, audience and questions as the services take them."""
        data = self.cleaned_data
        return {
            "capacity": data["capacity"],
            "address": (data.get("address") or "").strip(),
            "lat": data.get("lat"),
            "lon": data.get("lon"),
            "online_url": data.get("online_url") or "",
            "audience": data["audience"],
            "questions": self.cleaned_questions(),
        }

    def clean_place(self) -> None:
        data = self.cleaned_data
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lat", _("Indiquez la latitude et la longitude, ou aucune des deux."))
        if not (data.get("address") or "").strip() and not data.get("online_url"):
            self.add_error("address", _("Indiquez une adresse, ou un lien de réunion en ligne."))


def _place_fields() -> dict:
    return {
        "capacity": forms.IntegerField(
            label=_("Nombre de places"),
            min_value=1,
            max_value=10000,
            help_text=_("Au-delà, les inscrits sont mis sur liste d'attente."),
        ),
        "address": forms.CharField(
            label=_("Adresse"),
            max_length=255,
            required=False,
            help_text=_("Le lieu et l'adresse, par exemple : CCI du Gers, 1 place Jean David, 32000 Auch."),
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        ),
        "lat": CoordinateField(
            label=_("Latitude"),
            low=-90,
            high=90,
            required=False,
            help_text=_("En degrés décimaux, par exemple 43,6465 ; ou cliquez sur la carte."),
        ),
        "lon": CoordinateField(
            label=_("Longitude"),
            low=-180,
            high=180,
            required=False,
            help_text=_("En degrés décimaux, par exemple 0,5855."),
        ),
        "online_url": forms.URLField(
            label=_("Lien de la réunion en ligne"),
            required=False,
            max_length=200,
            assume_scheme="https",
            help_text=_(
                "Pour un rendez-vous en ligne (visioconférence). Par exemple : https://visio.exemple.fr/mercredi"
            ),
            widget=forms.URLInput(attrs={"autocomplete": "off"}),
        ),
        "audience": forms.ChoiceField(
            label=_("Qui peut s'inscrire ?"),
            choices=[(a.value, capfirst(a.label)) for a in Audience],
            widget=forms.RadioSelect,
            initial=Audience.PUBLIC,
        ),
    }


# --- The series ---------------------------------------------------------------------------------------


class SeriesForm(TranslationsMixin, PlaceAndQuestionsMixin, forms.Form):
    translated = (
        ("title", _("Titre"), {"max_length": 150}),
        ("description", _("Description"), {"widget": forms.Textarea(attrs={"rows": 4})}),
    )

    title_fr = forms.CharField(label=_("Titre"), max_length=150)
    kind = forms.ChoiceField(
        label=_("Type de rendez-vous"), choices=[(k.value, capfirst(k.label)) for k in EventKind]
    )
    description_fr = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ce qui s'y passe, pour qui, ce qu'il faut apporter."),
    )
    frequency = forms.ChoiceField(
        label=_("Fréquence"), choices=Frequency.choices, widget=forms.RadioSelect, initial=Frequency.BIWEEKLY
    )
    first_date = forms.DateField(
        label=_("Première date"),
        widget=DateInput(),
        help_text=_(
            "Le jour de la semaine est pris de cette date : un mercredi donne « tous les mercredis » ; "
            "le premier vendredi d'un mois donne « chaque premier vendredi du mois »."
        ),
    )
    start_time = forms.TimeField(label=_("Heure de début (heure locale)"), widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"), min_value=5, max_value=24 * 60, initial=90
    )
    until = forms.DateField(
        label=_("Dernière date (facultatif)"),
        required=False,
        widget=DateInput(),
        help_text=_("Vide : la série continue ; le calendrier est préparé six mois à l'avance."),
    )
    custom_rrule = forms.CharField(
        label=_("Règle RRULE (RFC 5545)"),
        required=False,
        max_length=300,
        help_text=_("Seulement pour « Règle personnalisée ». Par exemple : FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    exdates = forms.CharField(
        label=_("Dates sans rendez-vous (exceptions)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Une date par ligne, par exemple 23/12/2026 (vacances, jour férié)."),
    )
    village = VillageChoiceField(
        label=_("Village"),
        queryset=Village.objects.none(),
        required=False,
        empty_label=_("— Aucun (rendez-vous du territoire) —"),
        help_text=_("Pour un événement organisé dans ou par un village d'accueil."),
    )
    is_published = forms.BooleanField(
        label=_("Publié dans l'agenda"),
        required=False,
        initial=True,
        help_text=_("Décoché : la série reste visible ici seulement, personne ne peut s'inscrire."),
    )

    identity_names = ("title_fr", "kind", "description_fr", "village")
    when_names = ("first_date", "start_time", "duration_minutes", "until", "custom_rrule", "exdates")

    def __init__(self, *args, territory, series: Series | None = None, **kwargs):
        self.territory = territory
        self.series = series
        if series is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(series)
        super().__init__(*args, **kwargs)
        for name, field in _place_fields().items():
            self.fields[name] = field
        self.fields["capacity"].initial = 25
        self._add_translations()
        self._add_questions()
        self.fields["village"].queryset = (
            Village.objects.of_territory(territory).select_related("commune").order_by("commune__name")
        )

    def initial_from(self, series: Series) -> dict:
        local = to_local_naive(series.dtstart, series.timezone)
        frequency, until = builder_choice(series.rrule, local.date())
        initial = {
            "kind": series.kind,
            "frequency": frequency,
            "first_date": local.date(),
            "start_time": local.time(),
            "duration_minutes": series.duration_minutes,
            "until": until,
            "custom_rrule": series.rrule if frequency == Frequency.CUSTOM else "",
            "exdates": "\n".join(
                date.fromisoformat(d[:10]).strftime("%d/%m/%Y") for d in series.exdates or []
            ),
            "village": series.village_id,
            "is_published": series.is_published,
            **self.place_initial(series),
        }
        for code in [settings.LANGUAGE_CODE, *OTHER_LANGUAGES]:
            initial[f"title_{code}"] = getattr(series, f"title_{code}", "") or ""
            initial[f"description_{code}"] = getattr(series, f"description_{code}", "") or ""
        return initial

    def identity_fields(self):
        return [self[name] for name in self.identity_names]

    def when_fields(self):
        return [self[name] for name in self.when_names]

    def clean_exdates(self) -> list[date]:
        return parse_dates(self.cleaned_data.get("exdates", ""))

    def clean(self):
        data = super().clean()
        self.clean_place()
        frequency, first_date = data.get("frequency"), data.get("first_date")
        until = data.get("until")
        if first_date and until and until < first_date:
            self.add_error("until", _("La dernière date doit suivre la première."))
        if frequency == Frequency.CUSTOM and not (data.get("custom_rrule") or "").strip():
            self.add_error("custom_rrule", _("Écrivez la règle, ou choisissez une autre fréquence."))
        elif frequency and first_date and data.get("start_time") and "custom_rrule" not in self.errors:
            rule = builder_rrule(frequency, first_date, until=until, custom=data.get("custom_rrule") or "")
            if rule:
                try:
                    parse_rule(rule, datetime.combine(first_date, data["start_time"]))
                except RecurrenceError as error:
                    self.add_error(
                        "custom_rrule" if frequency == Frequency.CUSTOM else "frequency", error.message
                    )
            data["rrule"] = rule
        return data

    def series_data(self) -> dict:
        data = self.cleaned_data
        values = {
            "kind": data["kind"],
            "rrule": data.get("rrule", ""),
            "dtstart": datetime.combine(
                data["first_date"], data["start_time"].replace(second=0, microsecond=0)
            ),
            "duration_minutes": data["duration_minutes"],
            "exdates": [d.isoformat() for d in data.get("exdates") or []],
            **self.place_data(),
            "village": data.get("village"),
            "is_published": bool(data.get("is_published")),
            f"title_{settings.LANGUAGE_CODE}": data["title_fr"].strip(),
            f"description_{settings.LANGUAGE_CODE}": (data.get("description_fr") or "").strip(),
        }
        for code in OTHER_LANGUAGES:
            values[f"title_{code}"] = (data.get(f"title_{code}") or "").strip() or None
            values[f"description_{code}"] = (data.get(f"description_{code}") or "").strip() or None
        return values


# --- One occurrence -----------------------------------------------------------------------------------


class OccurrenceForm(TranslationsMixin, PlaceAndQuestionsMixin, forms.Form):
    translated = (("description", _("Description"), {"widget": forms.Textarea(attrs={"rows": 4})}),)

    description_fr = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Vide : la description de la série."),
    )

    def __init__(self, *args, occurrence: Occurrence, **kwargs):
        self.occurrence = occurrence
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(occurrence)
        super().__init__(*args, **kwargs)
        for name, field in _place_fields().items():
            self.fields[name] = field
        self._add_translations()
        self._add_questions()

    def initial_from(self, occurrence: Occurrence) -> dict:
        initial = self.place_initial(occurrence)
        for code in [settings.LANGUAGE_CODE, *OTHER_LANGUAGES]:
            initial[f"description_{code}"] = getattr(occurrence, f"description_{code}", "") or ""
        return initial

    def clean(self):
        data = super().clean()
        self.clean_place()
        return data

    def occurrence_data(self) -> dict:
        data = self.cleaned_data
        values = {
            **self.place_data(),
            f"description_{settings.LANGUAGE_CODE}": (data.get("description_fr") or "").strip(),
        }
        for code in OTHER_LANGUAGES:
            values[f"description_{code}"] = (data.get(f"description_{code}") or "").strip() or None
        return values


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Il est envoyé par e-mail à chaque inscrit, dans sa langue d'inscription."),
        error_messages={"required": _("Indiquez le motif de l'annulation : il est envoyé aux inscrits.")},
    )


class MoveForm(forms.Form):
    date = forms.DateField(label=_("Nouvelle date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Nouvelle heure de début (heure locale)"), widget=TimeInput())
    duration_minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=5, max_value=24 * 60)

    def __init__(self, *args, occurrence: Occurrence, **kwargs):
        if "initial" not in kwargs:
            local = to_local_naive(occurrence.starts_at, occurrence.series.timezone)
            kwargs["initial"] = {
                "date": local.date(),
                "start_time": local.time(),
                "duration_minutes": int((occurrence.ends_at - occurrence.starts_at).total_seconds() // 60),
            }
        super().__init__(*args, **kwargs)

    def starts_at_local(self) -> datetime:
        return datetime.combine(
            self.cleaned_data["date"], self.cleaned_data["start_time"].replace(second=0, microsecond=0)
        )
