from django.urls import reverse

from dangjian.study.tests.helpers import MEDIA, StudyTestCase
from dangjian.test import PASSWORD

DATA = (MEDIA / "demo-video.webm").read_bytes()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


class VideoRangeTestCase(StudyTestCase):
    def setUp(self):
        self.client.login(username="member", password=PASSWORD)
        self.url = reverse("study:video", args=[self.video.pk])

    def test_the_whole_file_says_it_accepts_ranges(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Accept-Ranges"], "bytes")
        self.assertEqual(response["Content-Type"], "video/webm")
        self.assertEqual(int(response["Content-Length"]), len(DATA))
        self.assertEqual(body(response), DATA)

    def test_a_range_gets_206_with_exactly_those_bytes(self):
        response = self.client.get(self.url, HTTP_RANGE="bytes=100-199")
        self.assertEqual(response.status_code, 206)
        self.assertEqual(response["Content-Range"], f"bytes 100-199/{len(DATA)}")
        self.assertEqual(response["Content-Length"], "100")
        self.assertEqual(body(response), DATA[100:200])

    def test_open_ended_and_suffix_ranges(self):
        response = self.client.get(self.url, HTTP_RANGE="bytes=1000-")
        self.assertEqual(response.status_code, 206)
        self.assertEqual(body(response), DATA[1000:])
        response = self.client.get(self.url, HTTP_RANGE="bytes=-500")
        self.assertEqual(body(response), DATA[-500:])
        # A range past the end is trimmed to the end.
        response = self.client.get(self.url, HTTP_RANGE=f"bytes=10-{len(DATA) * 2}")
        self.assertEqual(body(response), DATA[10:])

    def test_an_unsatisfiable_range_gets_416(self):
        response = self.client.get(self.url, HTTP_RANGE=f"bytes={len(DATA)}-")
        self.assertEqual(response.status_code, 416)
        self.assertEqual(response["Content-Range"], f"bytes */{len(DATA)}")

    def test_a_malformed_or_multi_range_gets_the_whole_file(self):
        for header in ("bytes=a-b", "items=0-5", "bytes=0-1,5-6"):
            response = self.client.get(self.url, HTTP_RANGE=header)
            self.assertEqual(response.status_code, 200, header)

    def test_a_stale_if_range_gets_the_whole_file(self):
        response = self.client.get(
            self.url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"stale"'
        )
        self.assertEqual(response.status_code, 200)
        etag = response["ETag"]
        response = self.client.get(self.url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
        self.assertEqual(response.status_code, 206)

    def test_the_video_is_checked_like_its_page(self):
        self.client.login(username="outsider", password=PASSWORD)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 401)

    def test_the_file_is_not_under_media_root(self):
        from django.conf import settings

        path = self.video_file.file.path
        self.assertFalse(path.startswith(str(settings.MEDIA_ROOT)))
