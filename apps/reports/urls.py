from apps.reports import dashboard_urls, export_urls

app_name = "reports"

urlpatterns = [*dashboard_urls.urlpatterns, *export_urls.urlpatterns]
