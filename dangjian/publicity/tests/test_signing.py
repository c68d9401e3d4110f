from django.test import SimpleTestCase

from dangjian.publicity import signing


class SigningTestCase(SimpleTestCase):
    body = '{"id": "disclosure-1", "title": "公开事项"}'.encode()

    def test_it_verifies_with_the_secret(self):
        signature = signing.sign("s3cret", 1_800_000_000, self.body)
        self.assertTrue(signature.startswith("sha256="))
        self.assertTrue(
            signing.verify(
                "s3cret", "1800000000", self.body, signature, now=1_800_000_010
            )
        )

    def test_a_wrong_secret_fails(self):
        signature = signing.sign("s3cret", 1_800_000_000, self.body)
        self.assertFalse(
            signing.verify(
                "other", 1_800_000_000, self.body, signature, now=1_800_000_000
            )
        )

    def test_a_changed_body_or_timestamp_fails(self):
        signature = signing.sign("s3cret", 1_800_000_000, self.body)
        self.assertFalse(
            signing.verify(
                "s3cret", 1_800_000_000, self.body + b" ", signature, now=1_800_000_000
            )
        )
        self.assertFalse(
            signing.verify(
                "s3cret", 1_800_000_001, self.body, signature, now=1_800_000_000
            )
        )

    def test_an_old_request_is_refused(self):
        signature = signing.sign("s3cret", 1_800_000_000, self.body)
        self.assertFalse(
            signing.verify(
                "s3cret", 1_800_000_000, self.body, signature, now=1_800_000_301
            )
        )
