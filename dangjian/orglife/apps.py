from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    label = "orglife"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions

        # A branch's secretary (its unit admin) and the unit admins above it
        # keep the branch's meetings, dues, recruits and reviews.
        kept = (
            "meeting",
            "attendance",
            "duesdeclaration",
            "duespayment",
            "recruit",
            "recruitstep",
            "evaluationcampaign",
            "branchrating",
        )
        permissions = [
            f"orglife.{verb}_{model}"
            for model in kept
            for verb in ("view", "add", "change", "delete")
        ]
        register_role_permissions(Role.UNIT_ADMIN, *permissions)
