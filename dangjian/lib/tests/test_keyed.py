"""Keyed hashes, mobile numbers and device tokens (lib/keyed.py), shared by
votes, outreach ratings and first sign-in."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings
from django.utils.crypto import salted_hmac

from dangjian.lib import keyed


class KeyedTestCase(SimpleTestCase):
    def test_a_hash_is_djangos_salted_hmac_so_stored_hashes_stay_valid(self):
        self.assertEqual(
            keyed.keyed_hash("dangjian.voting.voter", "m:13800000000"),
            salted_hmac("dangjian.voting.voter", "m:13800000000").hexdigest()[:32],
        )

    def test_a_hash_depends_on_the_namespace_and_the_key(self):
        a = keyed.keyed_hash("one.", "13800000000")
        self.assertNotEqual(a, keyed.keyed_hash("two.", "13800000000"))
        with override_settings(SECRET_KEY="another-key-" * 5):
            self.assertNotEqual(a, keyed.keyed_hash("one.", "13800000000"))
        self.assertEqual(a, keyed.keyed_hash("one.", "13800000000"))

    def test_mobile_numbers_as_people_type_them(self):
        for raw in (
            "13800000000",
            "138 0000 0000",
            "138-0000-0000",
            "+8613800000000",
            "008613800000000",
            "１３８００００００００",
        ):
            self.assertEqual(keyed.normalise_mobile(raw), "13800000000", raw)
        for raw in (
            "",
            None,
            "12800000000",
            "1380000000",
            "1380000000x",
            "١٣٨٠٠٠٠٠٠٠٠",
            "13٨00000000",
        ):
            self.assertIsNone(keyed.normalise_mobile(raw), raw)

    def test_a_device_token_is_read_back_only_when_this_server_signed_it(self):
        token = keyed.new_device_token("ns.")
        device = keyed.read_device_token(token, "ns.")
        self.assertTrue(device and token.startswith(device + "."))
        self.assertIsNone(keyed.read_device_token(token, "other."))
        forged = device + "." + "0" * keyed.DEVICE_MAC_LENGTH
        self.assertIsNone(keyed.read_device_token(forged, "ns."))
        for junk in (None, "", ".", "a.b", token + "x", "x" * 40 + token[-33:]):
            self.assertIsNone(keyed.read_device_token(junk, "ns."), junk)
