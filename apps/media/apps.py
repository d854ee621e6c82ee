from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "apps.media"
    label = "media"
    verbose_name = "Clinic photos and videos"

    def ready(self) -> None:
        from apps.exercises.panels import exercise_panel_register, exercise_thumbnails_register
        from apps.media.panels import exercise_media_panel, library_photo_thumbnails

        exercise_panel_register("media", exercise_media_panel)
        exercise_thumbnails_register("media", library_photo_thumbnails)
