from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from apps.audit.signals import record_clinic_settings_change, record_staff_sign_in
        from apps.clinics.signals import clinic_settings_changed

        user_logged_in.connect(record_staff_sign_in, dispatch_uid="audit-staff-sign-in")
        clinic_settings_changed.connect(
            record_clinic_settings_change, dispatch_uid="audit-clinic-settings"
        )
