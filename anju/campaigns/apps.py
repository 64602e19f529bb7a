from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "anju.campaigns"
    verbose_name = "专项整治"
