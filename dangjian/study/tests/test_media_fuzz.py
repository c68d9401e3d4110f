"""Reading durations from untrusted uploads: whatever bytes arrive, the reader
returns a plausible duration or raises ``UnreadableVideo`` with a Chinese
reason, reads only a bounded part of the file, and never loops over it.

The real files in ``media/`` were made with ffmpeg (H.264 MP4 after
faststart, QuickTime MOV with the movie header last, VP8 WebM, and a WebM
written as a live stream, which records no duration).
"""

from __future__ import annotations

import io
import math
import struct
import time
from pathlib import Path

from django.test import SimpleTestCase
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dangjian.study.media import (
    MAX_SECONDS,
    UnreadableVideo,
    probe_duration,
    read_duration,
)

FILES = Path(__file__).resolve().parent / "media"
DEMO_WEBM = Path(__file__).resolve().parents[1] / "demo_media" / "demo-video.webm"

REAL = {
    "clip.mp4": 3.0,
    "clip.mov": 3.0,
    "clip.webm": 2.6,
    "demo-video.webm": 8.0,
}

# The reader looks at headers only: a handful of small reads however large
# or strange the file. These bounds are far above what real files need.
MAX_BYTES_READ = 64 * 1024
MAX_READ_CALLS = 5_000

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def real_bytes(name: str) -> bytes:
    if name == "demo-video.webm":
        return DEMO_WEBM.read_bytes()
    return (FILES / name).read_bytes()


class CountingFile(io.BytesIO):
    """A file that counts what is read from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        self.reads += 1
        return chunk


def outcome(data: bytes) -> float | UnreadableVideo:
    """Reads ``data``; checks the bounds every read must keep."""
    handle = CountingFile(data)
    handle.seek(3 if len(data) > 3 else 0)
    start = handle.tell()
    try:
        result: float | UnreadableVideo = read_duration(handle)
    except UnreadableVideo as exc:
        result = exc
        assert str(exc), "every refusal carries a reason"
    assert handle.tell() == start, "the position is left where it was"
    assert handle.bytes_read <= MAX_BYTES_READ, handle.bytes_read
    assert handle.reads <= MAX_READ_CALLS, handle.reads
    if not isinstance(result, UnreadableVideo):
        assert isinstance(result, float)
        assert 0 < result <= MAX_SECONDS
    return result


# --- Builders for valid files ----------------------------------------------------


def box(kind: bytes, payload: bytes, *, large: bool = False) -> bytes:
    if large:
        return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4(
    ticks: int,
    timescale: int,
    *,
    version: int = 0,
    moov_first: bool = False,
    large_mdat: bool = False,
    brand: bytes = b"isom",
    tracks: int = 1,
    media_bytes: int = 1024,
) -> bytes:
    if version == 1:
        mvhd = struct.pack(">B3xQQIQ", 1, 0, 0, timescale, ticks)
    else:
        mvhd = struct.pack(">B3xIIII", 0, 0, 0, timescale, ticks)
    mvhd += struct.pack(">IH10x36x24xI", 0x00010000, 0x0100, tracks + 1)
    trak = box(b"trak", box(b"tkhd", bytes(84)))
    moov = box(b"moov", box(b"mvhd", mvhd) + trak * tracks)
    ftyp = box(b"ftyp", brand + struct.pack(">I", 0x200) + brand + b"mp41")
    mdat = box(b"mdat", bytes(media_bytes), large=large_mdat)
    return ftyp + (moov + mdat if moov_first else mdat + moov)


def vint(value: int) -> bytes:
    """An EBML size in the shortest form that holds ``value``."""
    for length in range(1, 9):
        if value < (1 << (7 * length)) - 1:
            return (value | (1 << (7 * length))).to_bytes(length, "big")
    raise ValueError(value)


def element(element_id: int, payload: bytes) -> bytes:
    id_bytes = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    return id_bytes + vint(len(payload)) + payload


def webm(duration: float, scale: int, *, single: bool = False) -> bytes:
    header = element(
        0x1A45DFA3,
        element(0x4286, b"\x01") + element(0x4282, b"webm") + element(0x4287, b"\x02"),
    )
    info = element(
        0x1549A966,
        element(0x2AD7B1, scale.to_bytes(max(1, (scale.bit_length() + 7) // 8), "big"))
        + element(0x4D80, b"test")
        + element(0x4489, struct.pack(">f" if single else ">d", duration)),
    )
    cluster = element(0x1F43B675, element(0xE7, b"\x00") + bytes(64))
    return header + element(0x18538067, element(0xEC, bytes(16)) + info + cluster)


# --- Properties --------------------------------------------------------------------


class ArbitraryBytesTestCase(SimpleTestCase):
    @FUZZ
    @given(st.binary(max_size=4096))
    @example(b"")
    @example(b"\x1a\x45\xdf\xa3")
    @example(b"\x00\x00\x00\x00ftyp")
    @example(b"\x00\x00\x00\x01moov" + b"\xff" * 8)
    def test_any_bytes(self, data):
        outcome(data)

    @FUZZ
    @given(
        st.sampled_from(
            [
                b"\x1a\x45\xdf\xa3",
                b"\x00\x00\x00\x18ftyp",
                b"\x00\x00\x00\x00moov",
                b"\x00\x00\x00\x01mdat",
                b"\x00\x00\x00\x08free",
            ]
        ),
        st.binary(max_size=4096),
    )
    def test_any_bytes_behind_a_video_signature(self, magic, rest):
        # Random bytes rarely pass the first check; these reach the parsers.
        outcome(magic + rest)

    @FUZZ
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(
                    [b"moov", b"mvhd", b"trak", b"mdat", b"free", b"uuid", b"meta"]
                ),
                st.integers(0, 0xFFFFFFFF),
                st.binary(max_size=64),
            ),
            max_size=12,
        )
    )
    def test_boxes_with_any_declared_sizes(self, boxes):
        data = box(b"ftyp", b"isom\x00\x00\x02\x00")
        for kind, size, payload in boxes:
            data += struct.pack(">I4s", size, kind) + payload
        outcome(data)

    @FUZZ
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(
                    [0x18538067, 0x1549A966, 0x2AD7B1, 0x4489, 0x1F43B675, 0xEC, 0x7BA9]
                ),
                st.integers(1, 8),
                st.integers(0, (1 << 56) - 1),
                st.binary(max_size=32),
            ),
            max_size=12,
        )
    )
    def test_elements_with_any_declared_sizes(self, elements):
        data = element(0x1A45DFA3, element(0x4282, b"webm"))
        for element_id, length, size, payload in elements:
            size &= (1 << (7 * length)) - 1
            id_bytes = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
            data += id_bytes + (size | (1 << (7 * length))).to_bytes(length, "big")
            data += payload
        outcome(data)


class RealFilesTestCase(SimpleTestCase):
    def test_real_files_give_their_duration(self):
        for name, seconds in REAL.items():
            with self.subTest(name):
                self.assertAlmostEqual(outcome(real_bytes(name)), seconds, places=3)

    def test_a_live_recording_has_no_duration(self):
        result = outcome((FILES / "live.webm").read_bytes())
        self.assertIsInstance(result, UnreadableVideo)
        self.assertEqual(result.reason, UnreadableVideo.NO_DURATION)
        self.assertEqual(str(result), "文件中没有记录时长")

    @FUZZ
    @given(st.sampled_from(sorted(REAL)), st.data())
    def test_truncated_real_files(self, name, data):
        content = real_bytes(name)
        cut = data.draw(st.integers(0, len(content) - 1))
        result = outcome(content[:cut])
        if not isinstance(result, UnreadableVideo):
            # Only a file cut after the header that holds the duration.
            self.assertAlmostEqual(result, REAL[name], places=3)

    @FUZZ
    @given(st.sampled_from(sorted(REAL)), st.data())
    def test_mutated_real_files(self, name, data):
        content = bytearray(real_bytes(name))
        # Mostly in the headers, where the parsers spend their time.
        head = min(len(content), 512)
        changes = data.draw(
            st.lists(
                st.tuples(
                    st.one_of(
                        st.integers(0, head - 1), st.integers(0, len(content) - 1)
                    ),
                    st.integers(0, 255),
                ),
                min_size=1,
                max_size=8,
            )
        )
        for position, value in changes:
            content[position] = value
        outcome(bytes(content))

    @FUZZ
    @given(st.data())
    def test_mutated_movie_header_at_the_end(self, data):
        # clip.mov keeps moov after the media: mutate that tail.
        content = bytearray(real_bytes("clip.mov"))
        moov = content.rindex(b"moov") - 4
        for _ in range(data.draw(st.integers(1, 6))):
            position = data.draw(st.integers(moov, len(content) - 1))
            content[position] = data.draw(st.integers(0, 255))
        outcome(bytes(content))


class ValidFilesTestCase(SimpleTestCase):
    @FUZZ
    @given(
        timescale=st.integers(1, 0xFFFFFFFF),
        seconds=st.floats(0.5, MAX_SECONDS + 3600),
        version=st.sampled_from([0, 1]),
        moov_first=st.booleans(),
        large_mdat=st.booleans(),
        brand=st.sampled_from([b"isom", b"mp42", b"qt  ", b"M4V "]),
        tracks=st.integers(0, 4),
    )
    def test_mp4_gives_its_duration(
        self, timescale, seconds, version, moov_first, large_mdat, brand, tracks
    ):
        ticks = max(1, round(seconds * timescale))
        if version == 0 and ticks >= 0xFFFFFFFF:
            version = 1
        data = mp4(
            ticks,
            timescale,
            version=version,
            moov_first=moov_first,
            large_mdat=large_mdat,
            brand=brand,
            tracks=tracks,
        )
        result = outcome(data)
        expected = ticks / timescale
        if expected > MAX_SECONDS:
            self.assertIsInstance(result, UnreadableVideo)
            self.assertEqual(result.reason, UnreadableVideo.IMPLAUSIBLE)
        else:
            self.assertEqual(result, expected)

    @FUZZ
    @given(
        scale=st.integers(1, 10**9),
        ticks=st.floats(1, 1e12, allow_nan=False),
        single=st.booleans(),
    )
    def test_webm_gives_its_duration(self, scale, ticks, single):
        data = webm(ticks, scale, single=single)
        stored = struct.unpack(">f", struct.pack(">f", ticks))[0] if single else ticks
        expected = stored * scale / 1e9
        result = outcome(data)
        if 0 < expected <= MAX_SECONDS:
            self.assertTrue(math.isclose(result, expected, rel_tol=1e-12))
        else:
            self.assertIsInstance(result, UnreadableVideo)
            self.assertEqual(result.reason, UnreadableVideo.IMPLAUSIBLE)


class BoundsTestCase(SimpleTestCase):
    def test_millions_of_tiny_boxes_are_refused_quickly(self):
        data = box(b"ftyp", b"isom") + box(b"free", b"") * 500_000
        started = time.monotonic()
        result = outcome(data)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(result.reason, UnreadableVideo.DAMAGED)

    def test_a_huge_declared_number_is_never_loaded(self):
        huge = b"\x01" * 5_000_000
        header = element(0x1A45DFA3, element(0x4282, b"webm"))
        info = element(0x1549A966, element(0x2AD7B1, huge) + element(0x4489, b"\0" * 8))
        result = outcome(header + element(0x18538067, info))
        self.assertEqual(result.reason, UnreadableVideo.NO_DURATION)

    def test_the_media_data_is_not_read(self):
        # outcome() checks that at most MAX_BYTES_READ of the 20 MB are read.
        for moov_first in (False, True):
            data = mp4(1200, 600, moov_first=moov_first, media_bytes=20_000_000)
            self.assertEqual(outcome(data), 2.0)

    def test_a_nonsense_duration_is_refused(self):
        for value in (float("nan"), float("inf"), -5.0, 0.0):
            with self.subTest(value):
                result = outcome(webm(value, 1_000_000))
                self.assertEqual(result.reason, UnreadableVideo.IMPLAUSIBLE)

    def test_other_formats_are_named_as_such(self):
        result = outcome(b"\x89PNG\r\n\x1a\n" + bytes(100))
        self.assertEqual(result.reason, UnreadableVideo.NOT_VIDEO)
        self.assertEqual(str(result), "只能从 MP4、MOV 或 WebM 文件读取时长")

    def test_a_truncated_movie_header_is_damaged(self):
        data = mp4(7200, 600)  # moov last
        result = outcome(data[:-60])
        self.assertEqual(result.reason, UnreadableVideo.DAMAGED)
        self.assertEqual(str(result), "文件已损坏或不完整")

    def test_probe_duration_gives_none_instead_of_an_error(self):
        self.assertIsNone(probe_duration(io.BytesIO(b"\x00" * 100)))
        self.assertEqual(probe_duration(io.BytesIO(mp4(1200, 600))), 2.0)
