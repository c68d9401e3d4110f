from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "dangjian.voting"
    label = "voting"
    verbose_name = "投票"

    def ready(self):
        from django.db.models.signals import post_save

        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions
        from dangjian.voting.models import Campaign, Candidate
        from dangjian.voting.rules import forget_rules

        # Editors set campaigns up; approvers publish them and review flagged votes.
        register_role_permissions(
            Role.EDITOR, "voting.add_campaign", "voting.change_campaign"
        )
        register_role_permissions(
            Role.APPROVER,
            "voting.change_campaign",
            "voting.publish_campaign",
            "voting.void_vote",
        )
        register_role_permissions(
            Role.UNIT_ADMIN,
            "voting.change_campaign",
            "voting.publish_campaign",
            "voting.void_vote",
        )
        for model in (Campaign, Candidate):
            post_save.connect(
                forget_rules,
                sender=model,
                dispatch_uid=f"voting-rules-{model.__name__}",
            )
