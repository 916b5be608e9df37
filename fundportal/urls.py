from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from fundportal import accounts, health, workqueue_admin
from fundportal import views as core_views
from fundportal.api_docs import ApiDocsView

admin.site.site_header = _("慈善医疗救助共富基金 管理平台")
admin.site.site_title = _("基金管理平台")
admin.site.index_title = _("工作台")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(), name="api_docs"),
    path("api/donations/", include("donations.api_urls")),
    path("api/assistance/", include("assistance.api_urls")),
    path("api/public/", include("disclosure.api_urls")),
    path("api/public/publicity/", include("assistance.publicity.public_api")),
    path("api/public/", include("assistance.progress.api")),
    path("healthz", health.healthz, name="healthz"),
]
urlpatterns += i18n_patterns(
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/audit/", core_views.audit_trail, name="audit_trail"),
    path("admin/api-tokens/", accounts.my_api_tokens, name="my_api_tokens"),
    path("admin/queue/", workqueue_admin.work_queue, name="work_queue"),
    path("admin/login/", accounts.staff_login, name="staff_login"),  # before the admin's own: lands by role
    path("admin/", admin.site.urls),
    path("receipts/", include("donations.urls")),
    path("disclosure/", include("disclosure.urls")),
    path("publicity/", include("assistance.publicity.urls")),
    path("workspace/", include("assistance.urls")),
    path("progress/", include("assistance.progress.urls")),
    prefix_default_language=False,
)

# With the database down, a 503 "系统维护中" page (JSON under /api/) rather than a 500.
handler500 = "fundportal.health.server_error"
# Chinese error pages in the site's frame (Django's were bare English).
handler400 = "fundportal.views.bad_request"
handler403 = "fundportal.views.permission_denied"
