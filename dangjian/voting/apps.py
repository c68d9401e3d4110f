from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "dangjian.voting"
    label = "voting"
    verbose_name = "投票"
