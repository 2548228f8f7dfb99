from django.urls import path

from sdgnet.partners import views

urlpatterns = [
    path("", views.pledge_list, name="pledges"),
    path("new/", views.pledge_new, name="pledge-new"),
    path("<int:pk>/", views.pledge_detail, name="pledge"),
    path("<int:pk>/progress/", views.pledge_progress, name="pledge-progress"),
    path("<int:pk>/moderate/", views.pledge_moderate, name="pledge-moderate"),
]
