"""Uploaded study videos and the private storage they and their posters live in."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from dangjian.orgs.models import Organisation
from dangjian.study.media import UnreadableVideo, read_duration

# --- Storage for videos ------------------------------------------------------


class PrivateStorage(FileSystemStorage):
    """Files that must only be served through a view that checks permission.

    Kept outside MEDIA_ROOT so that a web server serving /media/ directly
    cannot hand them out. The folder is read from the settings on each use,
    so tests can point it elsewhere.
    """

    @property
    def base_location(self):
        return Path(
            getattr(settings, "DANGJIAN_PRIVATE_ROOT", None)
            or os.environ.get("DANGJIAN_PRIVATE_ROOT")
            or Path(settings.BASE_DIR) / "var" / "private"
        )

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self):
        return None

    def url(self, name):
        # No public address: the files are served by permission-checked
        # views. An empty URL lets the admin's file inputs render (without a
        # "currently" link) instead of failing.
        return ""


_private_storage = PrivateStorage()


def private_storage():
    return _private_storage


VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mov": "video/quicktime",
}


def video_upload_to(instance, filename):
    suffix = Path(filename).suffix.lower()
    return f"study/videos/{timezone.now():%Y/%m}/{instance.uuid_hex()}{suffix}"


def poster_upload_to(instance, filename):
    suffix = Path(filename).suffix.lower()
    return f"study/posters/{timezone.now():%Y/%m}/{instance.uuid_hex()}{suffix}"


POSTER_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
POSTER_MAX_BYTES = 5 * 1024 * 1024


# The plugin cannot build `materials` (pages point here, and Wagtail ships no
# types).
class Video(models.Model):  # type: ignore[django-manager-missing]
    """An uploaded short video with its poster image.

    Both files live in private storage and are served only through views
    that check the person may open a material showing the video, so a
    members-only video cannot be fetched by guessing or sharing its link.
    """

    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(
        _("视频文件"),
        upload_to=video_upload_to,
        storage=private_storage,
        help_text=_("MP4（H.264）或 WebM，建议不超过 200 MB"),
    )
    poster_file = models.ImageField(
        _("封面图"),
        upload_to=poster_upload_to,
        storage=private_storage,
        blank=True,
        help_text=_("JPG 或 PNG，不超过 5 MB，建议宽 640 像素"),
    )
    duration_seconds = models.PositiveIntegerField(
        _("时长（秒）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4 * 3600)],
        help_text=_("系统从视频文件读取时长；只有读不出时才使用此处填写的值"),
    )
    # Read from the file by the server (dangjian.study.media); None when the
    # file could not be parsed.
    file_seconds = models.FloatField(
        _("文件时长（秒）"), null=True, blank=True, editable=False
    )
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属单位"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    # Why the file's duration could not be read (set by read_file_duration).
    duration_problem = ""

    panels = [
        FieldPanel("title"),
        FieldPanel("file"),
        FieldPanel("poster_file"),
        FieldPanel("duration_seconds"),
        FieldPanel("owner"),
    ]

    class Meta:
        verbose_name = _("学习视频")
        verbose_name_plural = _("学习视频")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.read_file_duration()
        super().save(*args, **kwargs)

    def uuid_hex(self) -> str:
        return uuid.uuid4().hex

    @property
    def content_type(self) -> str:
        return VIDEO_TYPES.get(Path(self.file.name).suffix.lower(), "video/mp4")

    @property
    def poster_content_type(self) -> str:
        return POSTER_TYPES.get(
            Path(self.poster_file.name).suffix.lower(), "application/octet-stream"
        )

    @property
    def duration(self) -> float | None:
        """Seconds, as read from the file; the editor's value only when the
        file could not be read."""
        return self.file_seconds or self.duration_seconds

    def read_file_duration(self) -> float | None:
        """Reads the duration from a newly uploaded file (or from the stored
        file when it has not been read yet) into ``file_seconds``; when it
        cannot be read, ``duration_problem`` says why."""
        self.duration_problem = ""
        if not self.file:
            self.file_seconds = None
            return None
        fresh = not getattr(self.file, "_committed", True)
        if not fresh and self.file_seconds is not None:
            return self.file_seconds
        try:
            if fresh:
                self.file_seconds = read_duration(self.file.file)
            else:
                with self.file.storage.open(self.file.name, "rb") as handle:
                    self.file_seconds = read_duration(handle)
        except UnreadableVideo as exc:
            self.file_seconds = None
            self.duration_problem = str(exc)
        except OSError:
            self.file_seconds = None
            self.duration_problem = gettext("无法打开文件")
        return self.file_seconds

    def clean(self):
        errors = {}
        if self.file and Path(self.file.name).suffix.lower() not in VIDEO_TYPES:
            errors["file"] = _("只接受 MP4、M4V、WebM、OGV、MOV 格式的视频")
        if self.poster_file:
            if Path(self.poster_file.name).suffix.lower() not in POSTER_TYPES:
                errors["poster_file"] = _("封面图只接受 JPG、PNG、WebP、GIF")
            elif self.poster_file.size > POSTER_MAX_BYTES:
                errors["poster_file"] = _("封面图不能超过 5 MB")
        if errors:
            raise ValidationError(errors)
        if self.file and not self.read_file_duration() and not self.duration_seconds:
            raise ValidationError(
                {
                    "duration_seconds": gettext(
                        "无法从视频文件读取时长（%(reason)s），请填写时长（秒）"
                    )
                    % {"reason": self.duration_problem}
                }
            )
