from django.urls import path

from apps.programs.views import handout as views_handout
from apps.programs.views import items as views_items
from apps.programs.views import level as views_level
from apps.programs.views import programs as views
from apps.programs.views import starters as views_starters

app_name = "programs"

urlpatterns = [
    path("programs/", views.program_list, name="list"),
    path("programs/new/", views.program_new, name="new"),
    path(
        "programs/starters/<slug:key>/copy/",
        views_starters.starter_copy_view,
        name="starter-copy",
    ),
    # The builder; its schedule, assign, name and notes and save-as-template forms are posted
    # to it (its item forms to the htmx endpoints below).
    path("programs/<uuid:public_id>/", views.program_builder, name="builder"),
    path(
        "programs/<uuid:public_id>/exercises/", views_items.exercise_search, name="exercise-search"
    ),
    path(
        "programs/<uuid:public_id>/items/add-exercise/",
        views_items.item_add_exercise,
        name="item-add-exercise",
    ),
    path(
        "programs/<uuid:public_id>/items/add-ladder/",
        views_items.item_add_ladder,
        name="item-add-ladder",
    ),
    path(
        "programs/<uuid:public_id>/items/<uuid:item_id>/",
        views_items.item_update,
        name="item-update",
    ),
    path(
        "programs/<uuid:public_id>/items/<uuid:item_id>/level/",
        views_level.item_level,
        name="item-level",
    ),
    path(
        "programs/<uuid:public_id>/items/<uuid:item_id>/remove/",
        views_items.item_remove,
        name="item-remove",
    ),
    path(
        "programs/<uuid:public_id>/items/<uuid:item_id>/move/",
        views_items.item_move,
        name="item-move",
    ),
]

# Staff pages about one patient that belong to programs; config/urls.py puts them in the
# "patients" namespace, where their names were before.
patient_urlpatterns = [
    path("patients/<uuid:public_id>/handout.pdf", views_handout.patient_handout, name="handout"),
]
