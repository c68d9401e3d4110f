from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dangjian.orgs.actions import do_issue_token


class Command(BaseCommand):
    help = "Prints a new API token for a person (use it as 'Authorization: Bearer <token>')."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--name",
            default="issued by manage.py issue_token",
            help="what the token is for",
        )

    def handle(self, *args, username, name, **options):
        Person = get_user_model()
        try:
            person = Person.objects.get(username=username)
        except Person.DoesNotExist:
            raise CommandError(f"No person with username {username!r}") from None
        if not person.is_active:
            raise CommandError(f"{username!r} is not active")
        _token, key = do_issue_token(person, name=name)
        self.stdout.write(key)
