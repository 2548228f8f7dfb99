from django.urls import path

from sdgnet.participation import views

urlpatterns = [
    path("", views.proposal_list, name="proposals"),
    path("new/", views.proposal_choose, name="proposal-choose"),
    path("<int:pk>/", views.proposal_detail, name="proposal"),
    path("<int:pk>/support/", views.proposal_support, name="proposal-support"),
    path("<int:pk>/respond/", views.proposal_respond, name="proposal-respond"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="proposal-withdraw"),
    path("<int:pk>/moderate/", views.proposal_moderate, name="proposal-moderate"),
]
