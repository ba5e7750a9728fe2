from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportCatalogueView.as_view(), name="catalogue"),
    path("budgets/", views.BudgetListView.as_view(), name="budget_list"),
    path("budgets/add/", views.BudgetFormView.as_view(), name="budget_create"),
    path("budgets/<int:pk>/", views.BudgetFormView.as_view(), name="budget_update"),
    path(
        "subscriptions/<int:pk>/delete/",
        views.SubscriptionDeleteView.as_view(),
        name="subscription_delete",
    ),
    path(
        "cases/<str:reference>/status-sheet.pdf",
        views.CaseSheetView.as_view(),
        name="case_sheet",
    ),
    path(
        "cases/<str:reference>/direct-award.pdf",
        views.DirectAwardDocumentView.as_view(),
        name="direct_award",
    ),
    path("<slug:name>/", views.ReportView.as_view(), name="report"),
    path("<slug:name>/download/", views.ReportDownloadView.as_view(), name="download"),
    path("<slug:name>/subscribe/", views.SubscriptionCreateView.as_view(), name="subscribe"),
]
