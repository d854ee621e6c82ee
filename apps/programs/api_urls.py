from django.urls import URLPattern, URLResolver, path

from apps.programs.api import level as api_level
from apps.programs.api import programs as api

P = "programs/<uuid:public_id>"

urlpatterns: list[URLPattern | URLResolver] = [
    path("programs/", api.ProgramListApi.as_view(), name="api-program-list"),
    path("programs/create/", api.ProgramCreateApi.as_view(), name="api-program-create"),
    path(f"{P}/", api.ProgramDetailApi.as_view(), name="api-program"),
    path(f"{P}/update/", api.ProgramUpdateApi.as_view(), name="api-program-update"),
    path(f"{P}/assign/", api.ProgramAssignApi.as_view(), name="api-program-assign"),
    path(
        f"{P}/save-as-template/",
        api.ProgramSaveAsTemplateApi.as_view(),
        name="api-program-save-as-template",
    ),
    path(f"{P}/items/create/", api.ProgramItemAddApi.as_view(), name="api-program-item-add"),
    path(f"{P}/items/reorder/", api.ProgramItemsReorderApi.as_view(), name="api-program-reorder"),
    path(
        f"{P}/items/<uuid:item_id>/update/",
        api.ProgramItemUpdateApi.as_view(),
        name="api-program-item-update",
    ),
    path(
        f"{P}/items/<uuid:item_id>/level/",
        api_level.item_level_api,
        name="api-program-item-level",
    ),
    path(
        f"{P}/items/<uuid:item_id>/remove/",
        api.ProgramItemRemoveApi.as_view(),
        name="api-program-item-remove",
    ),
]
