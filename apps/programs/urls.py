from django.urls import path

from apps.programs import views, views_items, views_level

app_name = "programs"

urlpatterns = [
    path("programs/", views.program_list, name="list"),
    path("programs/new/", views.program_new, name="new"),
    path("programs/<uuid:public_id>/", views.program_builder, name="builder"),
    path("programs/<uuid:public_id>/details/", views.program_details, name="details"),
    path("programs/<uuid:public_id>/schedule/", views.program_schedule, name="schedule"),
    path(
        "programs/<uuid:public_id>/save-as-template/",
        views.program_save_as_template,
        name="save-as-template",
    ),
    path("programs/<uuid:public_id>/assign/", views.program_assign, name="assign"),
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
