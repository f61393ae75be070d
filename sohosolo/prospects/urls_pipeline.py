from django.urls import path  # noqa: F401

from .views import (
    pipeline,  # noqa: E402
    prospect,  # noqa: E402
)

urlpatterns: list = [
    # The pipeline list, its exports and the "à faire" list (views/pipeline.py).
    path("", pipeline.pipeline_list, name="list"),
    path("export.<str:fmt>", pipeline.pipeline_export, name="export"),
    path("a-faire/", pipeline.todo_list, name="todo"),
    # The prospect page, its actions and the manual creation (views/prospect.py).
    path("nouveau/", prospect.prospect_create, name="create"),
    path("<int:pk>/", prospect.prospect_detail, name="detail"),
    path("<int:pk>/action/", prospect.prospect_activity_add, name="activity"),
    path("<int:pk>/prochaine-action/", prospect.prospect_next_action, name="next_action"),
    path("<int:pk>/attribuer/", prospect.prospect_assign_view, name="assign"),
    path("<int:pk>/etape/", prospect.prospect_transition_view, name="transition"),
    path("<int:pk>/modifier/", prospect.prospect_edit, name="edit"),
    path("<int:pk>/proposer-reunion/", prospect.prospect_propose_meeting, name="propose_meeting"),
]
