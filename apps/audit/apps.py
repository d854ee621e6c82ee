from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from apps.audit.signals import (
            record_account_change,
            record_api_token_change,
            record_clinic_change,
            record_staff_change,
            record_staff_sign_in,
        )
        from apps.clinics.signals import (
            account_changed,
            api_token_changed,
            clinic_changed,
            staff_changed,
        )

        user_logged_in.connect(record_staff_sign_in, dispatch_uid="audit-staff-sign-in")
        clinic_changed.connect(record_clinic_change, dispatch_uid="audit-clinic-changes")
        staff_changed.connect(record_staff_change, dispatch_uid="audit-staff-changes")
        account_changed.connect(record_account_change, dispatch_uid="audit-account-changes")
        api_token_changed.connect(record_api_token_change, dispatch_uid="audit-api-tokens")
