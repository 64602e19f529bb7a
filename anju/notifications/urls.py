from django.urls import path

from anju.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notifications, name="list"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read/", views.read_all, name="read_all"),
    path("channels/", views.channels, name="channels"),
    path("channels/new/", views.channel_add, name="channel_add"),
    path("channels/<int:pk>/delete/", views.channel_remove, name="channel_remove"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]
