from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/add/", views.CaseCreateView.as_view(), name="case_create"),
    path("cases/<str:reference>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<str:reference>/edit/", views.CaseUpdateView.as_view(), name="case_update"),
    path("cases/<str:reference>/move/", views.CaseMoveView.as_view(), name="case_move"),
    path("cases/<str:reference>/decide/", views.CaseDecideView.as_view(), name="case_decide"),
    path("cases/<str:reference>/lines/add/", views.LineCreateView.as_view(), name="line_create"),
    path(
        "cases/<str:reference>/lines/<int:pk>/edit/",
        views.LineUpdateView.as_view(),
        name="line_update",
    ),
    path(
        "cases/<str:reference>/lines/<int:pk>/remove/",
        views.LineRemoveView.as_view(),
        name="line_remove",
    ),
    path("cases/<str:reference>/quotes/add/", views.QuoteCreateView.as_view(), name="quote_create"),
    path(
        "cases/<str:reference>/quotes/<int:pk>/choose/",
        views.QuoteChooseView.as_view(),
        name="quote_choose",
    ),
    path(
        "cases/<str:reference>/documents/add/",
        views.DocumentCreateView.as_view(),
        name="document_create",
    ),
    path(
        "cases/<str:reference>/documents/<int:pk>/",
        views.DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path(
        "cases/<str:reference>/trials/attach/",
        views.CaseTrialAttachView.as_view(),
        name="case_trial_attach",
    ),
    path(
        "cases/<str:reference>/trials/<int:pk>/detach/",
        views.CaseTrialDetachView.as_view(),
        name="case_trial_detach",
    ),
    path(
        "cases/<str:reference>/comments/add/",
        views.CommentCreateView.as_view(),
        name="comment_create",
    ),
    path("cases/<str:reference>/delivery/", views.CaseDeliveryView.as_view(), name="case_delivery"),
]
