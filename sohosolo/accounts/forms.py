from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Role
from .scopes import scope_kind
from .services import INVITABLE_ROLES


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de la personne invitée"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Rôle"))
    scope = forms.ChoiceField(label=_("Accès limité à"), required=False)
    language = forms.ChoiceField(label=_("Langue de l'invitation"))

    def __init__(self, *args, territory, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.territory = territory
        roles = [
            (r.value, capfirst(r.label))
            for r in Role
            if r in INVITABLE_ROLES and (r in (Role.ADVISOR, Role.TERRITORY_ADMIN) or scope_kind(r))
        ]
        self.fields["role"].choices = roles
        self.fields["language"].choices = settings.LANGUAGES
        scope_choices = [("", _("—"))]
        for role, _label in roles:
            kind = scope_kind(role)
            if kind:
                scope_choices += [
                    (f"{role}:{obj.pk}", f"{kind.label} : {obj}") for obj in kind.choices(territory)
                ]
        self.fields["scope"].choices = scope_choices
        if len(scope_choices) == 1:
            del self.fields["scope"]

    def clean(self):
        data = super().clean()
        role = data.get("role")
        kind = scope_kind(role) if role else None
        raw = data.get("scope") or ""
        data["scope_object"] = None
        if kind:
            prefix, _sep, pk = raw.partition(":")
            obj = (
                kind.choices(self.territory).filter(pk=pk).first()
                if prefix == role and pk.isdigit()
                else None
            )
            if obj is None:
                self.add_error("scope", _("Choisissez à quoi ce rôle donne accès."))
            data["scope_object"] = obj
        elif raw:
            self.add_error("scope", _("Ce rôle ne se limite pas à un lieu ou un partenaire."))
        return data


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Nouveau rôle"),
        choices=[
            (Role.ADVISOR.value, Role.ADVISOR.label),
            (Role.TERRITORY_ADMIN.value, Role.TERRITORY_ADMIN.label),
        ],
    )


class DeleteAccountForm(forms.Form):
    confirm_email = forms.EmailField(
        label=_("Pour confirmer, saisissez votre adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm_email(self):
        value = self.cleaned_data["confirm_email"]
        if value.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(_("Cette adresse ne correspond pas à celle de votre compte."))
        return value
