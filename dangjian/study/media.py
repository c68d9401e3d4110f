"""Reading a video's duration from the uploaded file itself.

"Watched to the end" is judged against the duration, so it must come from
the file rather than from what an editor typed. The containers are decoded
by hachoir, a maintained pure-Python parser of many formats:

* MP4 / M4V / MOV (ISO base media, QuickTime): the ``mvhd`` box inside
  ``moov`` holds a timescale and a duration in that timescale. ``moov`` may
  come before or after the media data (``mdat``).
* WebM / Matroska: the ``Duration`` element of the segment's ``Info``,
  scaled by its ``TimecodeScale`` (nanoseconds per tick).

Uploads are untrusted. hachoir parses lazily, and this module walks only
the few boxes and elements that hold the duration: at most ``MAX_ITEMS`` at
each level, never reading a value larger than a number, so a crafted file
cannot make the server loop over millions of boxes or load the file into
memory. Whatever goes wrong inside the parser is reported as
``UnreadableVideo`` with a Chinese reason for the editor.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext as _
from hachoir.core.log import log as hachoir_log
from hachoir.parser.container import MkvFile, MP4File
from hachoir.stream import InputIOStream

logger = logging.getLogger(__name__)

# A study video longer than this is certainly a misread.
MAX_SECONDS = 24 * 3600
# Boxes (MP4) or elements (WebM) looked at in one container before giving
# up. Real files have a handful before the one that holds the duration.
MAX_ITEMS = 200

_MATROSKA_MAGIC = b"\x1a\x45\xdf\xa3"
# Types an ISO media file may start with (ISO/IEC 14496-12 and QuickTime).
_MP4_FIRST_BOXES = {b"ftyp", b"moov", b"free", b"skip", b"wide", b"mdat", b"pnot"}

# hachoir writes its warnings about damaged files to stderr; keep them in
# the project's log instead.
hachoir_log.use_print = False
hachoir_log.on_new_message = lambda level, prefix, text, ctxt: logger.debug(
    "hachoir %s %s", prefix, text
)


class UnreadableVideo(ValueError):
    """The duration could not be read from the file; ``str()`` says why, in
    Chinese, for the editor."""

    NOT_VIDEO = "not_video"
    NO_DURATION = "no_duration"
    DAMAGED = "damaged"
    IMPLAUSIBLE = "implausible"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(self.message)

    @property
    def message(self) -> str:
        messages = {
            self.NOT_VIDEO: _("只能从 MP4、MOV 或 WebM 文件读取时长"),
            self.NO_DURATION: _("文件中没有记录时长"),
            self.DAMAGED: _("文件已损坏或不完整"),
            self.IMPLAUSIBLE: _("文件中记录的时长不合理"),
        }
        return messages[self.reason]

    def __str__(self) -> str:
        return self.message


def read_duration(handle: IO[bytes]) -> float:
    """Returns the duration in seconds of the video in ``handle``.

    ``handle`` must be seekable; its position is restored afterwards.
    Raises ``UnreadableVideo`` (and nothing else) when the file is not an
    MP4/MOV/WebM video, records no duration, is damaged, or gives a
    duration that cannot be right.
    """
    try:
        start = handle.tell()
    except (AttributeError, OSError, ValueError):
        raise UnreadableVideo(UnreadableVideo.DAMAGED) from None
    try:
        handle.seek(0)
        head = handle.read(8)
        seconds = _read(handle, head)
    except UnreadableVideo:
        raise
    except Exception as exc:
        # The parser meets arbitrary bytes here; any failure inside it (its
        # own errors, KeyError, struct errors, overflow...) means the file
        # cannot be read, never a server error.
        logger.debug("video duration not read: %r", exc)
        raise UnreadableVideo(UnreadableVideo.DAMAGED) from None
    finally:
        try:
            handle.seek(start)
        except (OSError, ValueError):
            pass
    if seconds is None:
        raise UnreadableVideo(UnreadableVideo.NO_DURATION)
    if not (0 < seconds <= MAX_SECONDS):
        raise UnreadableVideo(UnreadableVideo.IMPLAUSIBLE)
    return seconds


def probe_duration(handle: IO[bytes]) -> float | None:
    """Returns the duration in seconds, or None when it cannot be read (the
    caller then falls back to the editor's value)."""
    try:
        return read_duration(handle)
    except UnreadableVideo:
        return None


def _read(handle: IO[bytes], head: bytes) -> float | None:
    if len(head) < 8:
        raise UnreadableVideo(UnreadableVideo.NOT_VIDEO)
    stream = InputIOStream(handle, source="<upload>", tags=[])
    if head[:4] == _MATROSKA_MAGIC:
        parser = MkvFile(stream)
        read = _matroska_seconds
    elif head[4:8] in _MP4_FIRST_BOXES:
        parser = MP4File(stream)
        read = _mp4_seconds
    else:
        raise UnreadableVideo(UnreadableVideo.NOT_VIDEO)
    # Without "autofix" a box or element that overruns its container (a
    # truncated upload) is an error rather than silently cut short.
    parser._autofix = False
    return read(parser)


def _children(fieldset: Any) -> Iterator[Any]:
    """The fields of ``fieldset``, at most ``MAX_ITEMS`` of them."""
    for count, field in enumerate(fieldset):
        if count >= MAX_ITEMS:
            raise UnreadableVideo(UnreadableVideo.DAMAGED)
        yield field


# --- ISO base media (MP4, MOV) -----------------------------------------------


def _mp4_seconds(parser: Any) -> float | None:
    for atom in _children(parser):
        if not atom.name.startswith("atom[") or atom["tag"].value != "moov":
            continue
        if "movie" not in atom:
            return None
        for inner in _children(atom["movie"]):
            if inner["tag"].value == "mvhd" and "movie_hdr" in inner:
                return _mvhd_seconds(inner["movie_hdr"])
        return None
    return None


def _mvhd_seconds(header: Any) -> float | None:
    timescale = header["time_scale"].value
    duration = header["duration"].value
    # All ones means "unknown" (e.g. a live recording that was cut off).
    if not timescale or duration in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    return duration / timescale


# --- Matroska / WebM ---------------------------------------------------------


def _matroska_seconds(parser: Any) -> float | None:
    for segment in _children(parser):
        if not segment.name.startswith("Segment["):
            continue
        for child in _children(segment):
            if child.name.startswith("Cluster["):
                # Info always precedes the media clusters.
                return None
            if child.name.startswith("Info["):
                return _info_seconds(child)
        return None
    return None


def _info_seconds(info: Any) -> float | None:
    scale = 1_000_000
    duration = None
    for item in _children(info):
        # Each element's declared size is checked before its value is read,
        # so a huge "number" is never loaded.
        if item.name == "TimecodeScale":
            if not 1 <= item["size"].value <= 8:
                return None
            scale = item["unsigned"].value
        elif item.name == "Duration":
            if "double" in item:
                duration = item["double"].value
            elif "float" in item:
                duration = item["float"].value
    if duration is None or not scale:
        return None
    return duration * scale / 1e9
