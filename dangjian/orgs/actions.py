"""Changes to organisations, roles and tokens. Each is atomic and audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import APIToken

from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.orgs.roles import STAFF_ROLES, sync_person_groups
from dangjian.orgs.scope import forget_scope


@transaction.atomic
def do_grant_role(
    person, organisation: Organisation, role: str, *, acting_user=None, title: str = ""
) -> Membership:
    """Gives a person a role in an organisation (no-op when they already hold it)."""
    if role not in Role.values:
        raise ValidationError({"role": f"未知角色：{role}"})
    if role in STAFF_ROLES and organisation.is_branch and role != Role.UNIT_ADMIN:
        # Content belongs to units; a branch has members and a secretary (unit admin).
        raise ValidationError({"role": "党支部只设成员和管理员角色"})
    membership, created = Membership.objects.get_or_create(
        person=person, organisation=organisation, role=role, defaults={"title": title}
    )
    if created:
        if role in STAFF_ROLES:
            sync_person_groups(person)
        forget_scope(person)
        log(
            instance=person,
            action="dangjian.role.grant",
            user=acting_user,
            data={"organisation": organisation.name, "role": role},
        )
    return membership


@transaction.atomic
def do_revoke_role(
    person, organisation: Organisation, role: str, *, acting_user=None
) -> bool:
    deleted, _ = Membership.objects.filter(
        person=person, organisation=organisation, role=role
    ).delete()
    if deleted:
        sync_person_groups(person)
        forget_scope(person)
        log(
            instance=person,
            action="dangjian.role.revoke",
            user=acting_user,
            data={"organisation": organisation.name, "role": role},
        )
    return bool(deleted)


@transaction.atomic
def do_issue_token(person, *, name: str, acting_user=None) -> tuple[APIToken, str]:
    """Creates a Wagtail API token for the person; returns it with the key (shown once)."""
    token, key = APIToken.create_token(user=person, name=name)
    log(token, "wagtail.apitoken.create", user=acting_user, data={"source": "dangjian"})
    return token, key


def authenticate_token(key: str) -> APIToken | None:
    """Returns the live token for a presented key, or None.

    This runs on every API request. With a shared cache (Redis) the token and
    its person are kept there for TOKEN_CACHE_SECONDS, so a busy client costs
    one cache read instead of an ORM query; revoking or deleting a token, or
    changing its person, drops the entry at once (``forget_token``). Without a
    shared cache every request reads the database: a per-process cache could
    not be told of a revocation made in another process.
    """
    if not APIToken.validate_token_format(key):
        return None
    key_hashes = APIToken.candidate_key_hashes(key)
    token = _cached_token(key_hashes[0])
    if token is None:
        token = (
            APIToken.objects.select_related("user")
            .filter(key_hash__in=key_hashes, revoked_at__isnull=True)
            .first()
        )
        if token is not None and token.key_hash == key_hashes[0]:
            _cache_token(token)
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # Written at most once a minute, so busy clients do not write per request.
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        _cache_token(token)
    return token


TOKEN_CACHE_SECONDS = 60


def _token_cache():
    from django.conf import settings
    from django.core.cache import cache

    backend = settings.CACHES["default"]["BACKEND"]
    return cache if "redis" in backend.lower() else None


def _token_cache_key(key_hash: str) -> str:
    return f"orgs:apitoken:{key_hash}"


def _cached_token(key_hash: str) -> APIToken | None:
    cache = _token_cache()
    if cache is None:
        return None
    try:
        return cache.get(_token_cache_key(key_hash))
    except Exception:  # Redis down: the database still answers.
        return None


def _cache_token(token: APIToken) -> None:
    cache = _token_cache()
    if cache is None:
        return
    try:
        cache.set(_token_cache_key(token.key_hash), token, TOKEN_CACHE_SECONDS)
    except Exception:
        pass


def forget_token(key_hash: str) -> None:
    """Drops a cached token (called when a token or its person changes)."""
    cache = _token_cache()
    if cache is None:
        return
    try:
        cache.delete(_token_cache_key(key_hash))
    except Exception:
        # Redis unreachable: the entry expires within TOKEN_CACHE_SECONDS.
        pass
