from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from sohosolo.core.outbox import outbox_store


class AccountAdapter(DefaultAccountAdapter):
    """Send allauth's emails through the outbox, in the recipient's language."""

    def send_mail(self, template_prefix, email, context):
        request = context.get("request") or getattr(self, "request", None)
        user = context.get("user")
        language = (getattr(user, "preferred_language", "") or translation.get_language() or "fr")[:2]
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        html = next(
            (content for content, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
        )
        outbox_store(
            to=email,
            subject=message.subject,
            text=message.body,
            html=html,
            language=language,
            territory=getattr(request, "territory", None),
            kind=template_prefix.rsplit("/", 1)[-1],
        )

    def get_login_redirect_url(self, request):
        from .views.space import landing_url_for

        return landing_url_for(request)
