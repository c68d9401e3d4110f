from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "dangjian.kb"
    label = "kb"
    verbose_name = "12345 知识库"

    def ready(self):
        # The search log's write-behind buffer (flushed off the request path)
        # is declared when searchlog is imported.
        from dangjian.kb import search, searchlog, signals  # noqa: F401
        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions

        search.register()

        entry_perms = ("kb.add_entry", "kb.change_entry", "kb.delete_entry")
        register_role_permissions(Role.EDITOR, *entry_perms)
        register_role_permissions(
            Role.UNIT_ADMIN, *entry_perms, "kb.publish_entry", "kb.view_searchlog"
        )
        register_role_permissions(Role.REVIEWER, "kb.change_entry")
        register_role_permissions(Role.APPROVER, "kb.change_entry", "kb.publish_entry")
