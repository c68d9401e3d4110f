"""Where uploaded files live: public ones under MEDIA_ROOT, private ones elsewhere.

Every file the product stores, and where it goes:

======================================  ==========================  ========
Files                                   Stored name                 Store
======================================  ==========================  ========
Wagtail images and their renditions     ``original_images/``,       public
(shown on public pages)                 ``images/``
Wagtail documents (attachments of       ``documents/``              private
disclosure items and study materials)
Study videos and their posters          ``study/videos/``,          private
                                        ``study/posters/``
Policy experts' question attachments    ``experts/``                private
Recruitment documents (orglife)         ``orglife/``                private
======================================  ==========================  ========

Exports (Excel, PDF, CSV) and QR codes are built in memory for each request
and never stored. ``exports/`` is reserved as private should one ever be.

``STORAGES["default"]`` is :class:`RoutedStorage`: a name under a private
prefix is kept in ``STORAGES["private"]`` (:class:`PrivateStorage`, the
folder ``DANGJIAN_PRIVATE_MEDIA_ROOT``, or an S3-compatible bucket set up
from the environment), every other name in ``STORAGES["public"]`` (the
folder ``MEDIA_ROOT``, which nginx may serve as ``/media/``). Wagtail's
``Document.file`` names no storage, so routing the default storage keeps
documents private without a custom document model and without a migration
inside wagtail. Videos, posters and expert attachments name their own
private storage on the field (``dangjian.study.models``,
``dangjian.experts.models``), in the same folder; routing them too means a
file saved under their prefixes through the default storage is private all
the same.

Private files have no address: they are served only by views that check
who asks (Wagtail's document view with the disclosure and study hooks, the
study video and poster views, the experts' attachment view). The ``/media/``
route (:func:`serve_public_media`) serves the public folder only and answers
404 for any path that, however spelled, names a private prefix.

Files stored under ``MEDIA_ROOT`` by an earlier version are moved with
``manage.py move_private_files`` (:func:`move_private_files`).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import Http404, HttpRequest
from django.http.response import FileResponse
from django.utils.deconstruct import deconstructible
from django.views.static import serve

PRIVATE_PREFIXES = ("documents/", "study/", "experts/", "orglife/", "exports/")


def normalise(name: str) -> str:
    """The stored name a path resolves to: separators unified, ``.``, ``..``
    and repeated slashes folded, no leading slash."""
    name = str(name).replace("\\", "/")
    return posixpath.normpath("/" + name).lstrip("/")


def is_private_name(name: str) -> bool:
    """Whether ``name`` (a stored name or a requested path) belongs to the
    private store. Compared without case, for case-insensitive disks."""
    folded = normalise(name).lower()
    return any(
        folded == prefix.rstrip("/") or folded.startswith(prefix)
        for prefix in PRIVATE_PREFIXES
    )


def private_root() -> Path:
    default = Path(settings.BASE_DIR) / "var" / "private"
    return Path(getattr(settings, "DANGJIAN_PRIVATE_MEDIA_ROOT", None) or default)


class PrivateStorage(FileSystemStorage):
    """The private folder: outside MEDIA_ROOT, with no URL of its own.

    The folder is read from the settings on each use, so tests can point it
    elsewhere.
    """

    @property
    def base_location(self) -> str:
        return str(private_root())

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> str | None:  # type: ignore[override]  # no address at all
        return None

    def url(self, name: str | None) -> str:
        # No public address. An empty URL lets the admin's file inputs render
        # (without a "currently" link) instead of failing.
        return ""


@deconstructible(path="dangjian.lib.storage.RoutedStorage")
class RoutedStorage(Storage):
    """The default storage: private names to one store, the others to another.

    Both stores are aliases of ``STORAGES``, looked up on each use so that
    ``override_settings(STORAGES=…)`` and ``MEDIA_ROOT`` changes apply.
    """

    def __init__(self, public: str = "public", private: str = "private") -> None:
        self.public_alias = public
        self.private_alias = private

    @property
    def public(self) -> Storage:
        return storages[self.public_alias]

    @property
    def private(self) -> Storage:
        return storages[self.private_alias]

    def store_for(self, name: str) -> Storage:
        return self.private if is_private_name(name) else self.public

    # Name handling does not depend on where the file goes.
    def get_valid_name(self, name: str) -> str:
        return self.public.get_valid_name(name)

    def get_alternative_name(self, file_root: str, file_ext: str) -> str:
        return self.public.get_alternative_name(file_root, file_ext)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.public.generate_filename(filename)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.store_for(name).get_available_name(name, max_length=max_length)

    def open(self, name: str, mode: str = "rb") -> File[Any]:
        return self.store_for(name).open(name, mode)

    def save(
        self, name: str | None, content: IO[Any], max_length: int | None = None
    ) -> str:
        if name is None:
            name = content.name
        return self.store_for(name).save(name, content, max_length=max_length)

    def path(self, name: str) -> str:
        return self.store_for(name).path(name)

    def delete(self, name: str) -> None:
        return self.store_for(name).delete(name)

    def exists(self, name: str) -> bool:
        return self.store_for(name).exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.store_for(path).listdir(path)

    def size(self, name: str) -> int:
        return self.store_for(name).size(name)

    def url(self, name: str | None) -> str:
        if name is not None and is_private_name(name):
            return ""
        return self.public.url(name)

    def get_accessed_time(self, name: str) -> datetime:
        return self.store_for(name).get_accessed_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.store_for(name).get_created_time(name)

    def get_modified_time(self, name: str) -> datetime:
        return self.store_for(name).get_modified_time(name)


def serve_public_media(request: HttpRequest, path: str) -> FileResponse:
    """``/media/<path>``: files of the public folder only.

    A path that names a private prefix in any spelling (``//documents/``,
    ``./documents/``, ``%2Fdocuments/``, ``../media/documents/``,
    ``Documents/``) is a 404, and so is one that resolves into the private
    folder, should that folder ever be placed inside MEDIA_ROOT.
    """
    if "\x00" in path or is_private_name(path):
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    # Resolved as django.views.static.serve resolves it, symbolic links included.
    target = Path(os.path.realpath(root / posixpath.normpath(path).lstrip("/")))
    if not target.is_relative_to(root) or is_private_name(
        target.relative_to(root).as_posix()
    ):
        raise Http404
    secret = private_root().resolve()
    if secret.is_relative_to(root) and target.is_relative_to(secret):
        raise Http404
    return serve(request, path, document_root=str(root))


# --- Moving files an earlier version kept under MEDIA_ROOT ------------------


@dataclass
class MoveReport:
    moved: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def _digest(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def private_files_in_public_root() -> list[str]:
    """Stored names of the files under MEDIA_ROOT that belong to the private store."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    names = []
    for folder, _dirs, files in os.walk(root):
        for filename in files:
            name = (Path(folder) / filename).relative_to(root).as_posix()
            if is_private_name(name):
                names.append(name)
    return sorted(names)


def move_private_files(
    *, dry_run: bool = False, write: Callable[[str], object] = lambda _: None
) -> MoveReport:
    """Moves private files out of MEDIA_ROOT into the private store, under
    the same names, so the rows that point at them stay as they are.

    Idempotent: a file already in the private store with the same content is
    only removed from MEDIA_ROOT; one with different content is a conflict,
    reported and left in place for an operator to decide.
    """
    report = MoveReport()
    root = Path(settings.MEDIA_ROOT)
    private = storages["private"]
    for name in private_files_in_public_root():
        source = root / name
        if private.exists(name):
            with source.open("rb") as mine, private.open(name, "rb") as theirs:
                same = _digest(mine) == _digest(theirs)
            if not same:
                report.conflicts.append(name)
                write(f"冲突（私有存储中已有内容不同的同名文件，未移动）：{name}")
                continue
            report.already_there.append(name)
            if not dry_run:
                source.unlink()
            write(f"私有存储中已有相同文件，删除公开目录中的副本：{name}")
            continue
        if not dry_run:
            with source.open("rb") as handle:
                saved = private.save(name, File(handle, name=name))
            if saved != name:
                # Someone wrote the same name meanwhile: keep both, say so.
                private.delete(saved)
                report.conflicts.append(name)
                write(f"冲突（移动时私有存储中出现同名文件，未移动）：{name}")
                continue
            source.unlink()
        report.moved.append(name)
        write(f"{'将移动' if dry_run else '已移动'}：{name}")
    if not dry_run:
        _remove_empty_folders(root)
    return report


def _remove_empty_folders(root: Path) -> None:
    for prefix in PRIVATE_PREFIXES:
        top = root / prefix.rstrip("/")
        if not top.is_dir():
            continue
        for folder, _dirs, _files in os.walk(top, topdown=False):
            try:
                os.rmdir(folder)
            except OSError:
                pass  # not empty
