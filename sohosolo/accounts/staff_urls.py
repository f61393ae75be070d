from django.urls import path

from .views import team

app_name = "staff"

urlpatterns = [
    path("", team.staff_home, name="home"),
    path("equipe/", team.team, name="team"),
    path("equipe/inviter/", team.invite, name="invite"),
    path("equipe/invitations/<int:pk>/renvoyer/", team.invitation_resend_view, name="invitation_resend"),
    path("equipe/invitations/<int:pk>/annuler/", team.invitation_cancel_view, name="invitation_cancel"),
    path("equipe/roles/<int:pk>/modifier/", team.membership_change_view, name="membership_change"),
    path("equipe/roles/<int:pk>/retirer/", team.membership_revoke_view, name="membership_revoke"),
    path("journal/", team.audit_log, name="audit_log"),
    path("courriels/", team.outbox, name="outbox"),
]
