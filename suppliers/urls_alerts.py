from django.urls import path

from suppliers import views_alerts as v

urlpatterns = [
    path("alerts/", v.preferences, name="alerts-preferences"),
    path("alerts/inbox/", v.inbox, name="alerts-inbox"),
    path("alerts/saved-searches/new/", v.saved_search_create, name="saved-search-create"),
    path("alerts/saved-searches/<int:pk>/", v.saved_search_edit, name="saved-search-edit"),
    path("alerts/unsubscribe/<str:token>/", v.unsubscribe, name="alerts-unsubscribe"),
    path("alerts/calendar/<str:token>.ics", v.saved_search_calendar, name="saved-search-calendar"),
    path("opportunities/<int:pk>/follow/", v.follow_toggle, name="opportunity-follow"),
]
