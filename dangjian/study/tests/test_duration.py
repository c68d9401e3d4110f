"""A video's duration is read from the uploaded file, not taken from the editor."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.study.media import probe_duration
from dangjian.study.models import MaterialPage, Progress, Video
from dangjian.study.tests.helpers import MEDIA, StudyTestCase
from dangjian.test import PASSWORD


def box(kind: bytes, payload: bytes, *, large: bool = False) -> bytes:
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4(
    seconds: float,
    *,
    timescale: int = 600,
    version: int = 0,
    moov_first: bool = False,
    large_mdat: bool = False,
    brand: bytes = b"isom",
) -> bytes:
    """A small ISO base media file laid out like an encoder's output: ftyp,
    then mdat and moov (moov last unless ``moov_first``, as after
    "faststart"), with the movie header (mvhd) and a track header inside."""
    duration = round(seconds * timescale)
    if version == 1:
        mvhd = struct.pack(">B3xQQIQ", 1, 0, 0, timescale, duration)
    else:
        mvhd = struct.pack(">B3xIIII", 0, 0, 0, timescale, duration)
    mvhd += struct.pack(">IH10x36x24xI", 0x00010000, 0x0100, 2)
    tkhd = struct.pack(">B3xIIIII", 0, 0, 0, 1, 0, duration) + bytes(60)
    moov = box(b"moov", box(b"mvhd", mvhd) + box(b"trak", box(b"tkhd", tkhd)))
    ftyp = box(b"ftyp", brand + struct.pack(">I", 0x200) + brand + b"mp41")
    mdat = box(b"mdat", bytes(range(256)) * 40, large=large_mdat)
    return ftyp + (moov + mdat if moov_first else mdat + moov)


class ProbeTestCase(StudyTestCase):
    def test_the_demo_webm_is_read_from_its_segment_info(self):
        with (MEDIA / "demo-video.webm").open("rb") as handle:
            self.assertEqual(probe_duration(handle), 8.0)

    def test_mp4_with_the_movie_header_after_the_media(self):
        self.assertEqual(probe_duration(io.BytesIO(mp4(12.5))), 12.5)

    def test_mp4_after_faststart_and_with_a_64_bit_media_box(self):
        data = mp4(30, timescale=90000, version=1, moov_first=True, large_mdat=True)
        self.assertEqual(probe_duration(io.BytesIO(data)), 30.0)

    def test_quicktime_mov(self):
        self.assertEqual(probe_duration(io.BytesIO(mp4(61, brand=b"qt  "))), 61.0)

    def test_files_that_cannot_be_read_give_nothing(self):
        broken = mp4(12)[:-40]  # cut off inside the movie header
        for data in (
            b"",
            b"not a video at all" * 10,
            broken,
            (MEDIA / "demo-poster.png").read_bytes(),
        ):
            self.assertIsNone(probe_duration(io.BytesIO(data)))

    def test_the_handle_position_is_left_where_it_was(self):
        handle = io.BytesIO(mp4(5))
        handle.seek(7)
        probe_duration(handle)
        self.assertEqual(handle.tell(), 7)


class VideoDurationTestCase(StudyTestCase):
    def make_video(self, data: bytes, name: str, **fields) -> Video:
        video = Video(title="测试视频", **fields)
        video.file.save(name, ContentFile(data), save=False)
        video.full_clean()
        video.save()
        return video

    def test_the_file_wins_over_what_the_editor_typed(self):
        video = self.make_video(mp4(42), "a.mp4", duration_seconds=5)
        self.assertEqual(video.file_seconds, 42.0)
        self.assertEqual(video.duration, 42.0)

    def test_the_editor_value_is_the_fallback_for_an_unreadable_file(self):
        video = self.make_video(b"\x00" * 500, "b.mp4", duration_seconds=30)
        self.assertIsNone(video.file_seconds)
        self.assertEqual(video.duration, 30)

    def test_an_unreadable_file_without_a_duration_is_refused(self):
        video = Video(title="测试视频")
        video.file.save("c.mp4", ContentFile(b"\x00" * 500), save=False)
        with self.assertRaises(ValidationError) as caught:
            video.full_clean()
        self.assertIn("duration_seconds", caught.exception.message_dict)

    def test_an_editor_uploads_in_the_admin_and_the_server_reads_the_duration(self):
        self.client.login(username="editor", password=PASSWORD)
        response = self.client.post(
            reverse("study_videos:add"),
            {
                "title": "上传的短视频",
                "file": SimpleUploadedFile("clip.mp4", mp4(95), "video/mp4"),
                "poster_file": SimpleUploadedFile(
                    "p.png", (MEDIA / "demo-poster.png").read_bytes(), "image/png"
                ),
                "duration_seconds": "10",
            },
        )
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        video = Video.objects.get(title="上传的短视频")
        self.assertEqual(video.duration, 95.0)
        self.assertTrue(video.poster_file.name.startswith("study/posters/"))

    def test_an_upload_the_server_cannot_read_needs_a_duration(self):
        self.client.login(username="editor", password=PASSWORD)
        response = self.client.post(
            reverse("study_videos:add"),
            {
                "title": "读不出时长",
                "file": SimpleUploadedFile("x.mp4", b"\x00" * 300, "video/mp4"),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "无法从视频文件读取时长")
        self.assertContains(response, "只能从 MP4、MOV 或 WebM 文件读取时长")
        self.assertFalse(Video.objects.filter(title="读不出时长").exists())

    def test_a_live_recording_without_a_duration_says_so(self):
        self.client.login(username="editor", password=PASSWORD)
        live = (Path(__file__).parent / "media" / "live.webm").read_bytes()
        response = self.client.post(
            reverse("study_videos:add"),
            {
                "title": "直播录制",
                "file": SimpleUploadedFile("live.webm", live, "video/webm"),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "无法从视频文件读取时长（文件中没有记录时长），请填写时长（秒）"
        )
        self.assertFalse(Video.objects.filter(title="直播录制").exists())


class WatchedToTheEndTestCase(StudyTestCase):
    """The editor typed 3 seconds but the file runs 8: only reaching the
    file's end counts."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Video.objects.filter(pk=cls.video_file.pk).update(duration_seconds=3)

    def open(self):
        self.client.login(username="member", password=PASSWORD)
        self.assertEqual(self.client.get(self.video.url).status_code, 200)
        from dangjian.study.models import Reading

        return Reading.objects.filter(person=self.member).latest("pk")

    def beat(self, reading, position):
        return self.client.post(
            reverse("study:beat", args=[reading.pk]), {"position": position}
        ).json()

    def test_stopping_at_the_editors_duration_is_not_the_end(self):
        reading = self.open()
        for position in ("2", "3", "3"):
            self.age_reading(reading, 3)
            data = self.beat(reading, position)
        self.assertFalse(data["completed"])
        self.assertEqual(data["position"], 3.0)

    def test_reaching_the_files_end_is(self):
        material = MaterialPage.objects.get(pk=self.video.pk)
        self.assertEqual(material.required_seconds, 6)  # 80% of the file's 8 s
        reading = self.open()
        for position in ("3", "6", "8"):
            self.age_reading(reading, 3)
            data = self.beat(reading, position)
        self.assertTrue(data["completed"])
        progress = Progress.objects.get(person=self.member, material=self.video)
        self.assertEqual(progress.position, 8.0)

    def test_the_editor_reopens_an_uploaded_video_in_the_admin(self):
        from dangjian.study.models import Video as VideoModel

        VideoModel.objects.filter(pk=self.video_file.pk).update(owner=self.unit_a)
        self.client.login(username="editor", password=PASSWORD)
        response = self.client.get(
            reverse("study_videos:edit", args=[self.video_file.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, self.video_file.file.name)
