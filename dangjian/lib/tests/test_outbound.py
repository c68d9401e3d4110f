"""The webhook address guard refuses every address that is not public."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from dangjian.lib.outbound import UnsafeURL, check_outbound_url, send


@override_settings(OUTBOUND_ALLOW_PRIVATE=False)
class OutboundAddressTestCase(SimpleTestCase):
    def assertRefused(self, host):
        with self.subTest(host=host):
            with self.assertRaises(UnsafeURL):
                check_outbound_url(f"http://{host}/hook")

    def test_it_refuses_nat64_addresses_embedding_a_private_ipv4(self):
        # 64:ff9b::/96 (RFC 6052) embeds 10.0.0.1, 127.0.0.1, 169.254.169.254.
        for host in ("[64:ff9b::a00:1]", "[64:ff9b::7f00:1]", "[64:ff9b::a9fe:a9fe]"):
            self.assertRefused(host)

    def test_it_refuses_local_use_nat64_addresses(self):
        self.assertRefused("[64:ff9b:1::808:808]")

    def test_it_refuses_6to4_addresses(self):
        # 2002:AABB:CCDD:: embeds AA.BB.CC.DD: 10.0.0.1, 192.168.1.1, 8.8.8.8.
        for host in ("[2002:a00:1::1]", "[2002:c0a8:101::1]", "[2002:808:808::1]"):
            self.assertRefused(host)

    def test_it_refuses_ipv4_compatible_addresses(self):
        for host in ("[::10.0.0.1]", "[::127.0.0.1]", "[::8.8.8.8]"):
            self.assertRefused(host)

    def test_it_refuses_ipv4_mapped_addresses_embedding_a_private_ipv4(self):
        for host in ("[::ffff:10.0.0.1]", "[::ffff:127.0.0.1]", "[::ffff:a9fe:a9fe]"):
            self.assertRefused(host)

    def test_it_refuses_teredo_addresses(self):
        self.assertRefused("[2001:0:4136:e378:8000:63bf:3fff:fdd2]")
        self.assertRefused("[2001::a00:1]")

    def test_it_refuses_multicast_addresses(self):
        for host in ("[ff02::1]", "[ff0e::1]", "[ff05::1:3]", "224.0.0.1", "239.1.2.3"):
            self.assertRefused(host)

    def test_it_refuses_other_non_global_addresses(self):
        for host in (
            "[fec0::1]",  # site-local (deprecated, not flagged by ipaddress)
            "[fd00::1]",  # unique local
            "[fe80::1]",  # link-local
            "[::1]",
            "[::]",
            "[100::1]",  # discard-only
            "[2001:db8::1]",
            "[3fff::1]",
            "[5f00::1]",  # SRv6 SIDs, outside global unicast
            "0.0.0.0",
            "100.64.0.1",  # carrier-grade NAT
            "255.255.255.255",
        ):
            self.assertRefused(host)

    def test_public_addresses_are_accepted(self):
        for host in (
            "8.8.8.8",
            "[2400:3200::1]",
            "[::ffff:8.8.8.8]",
            "[64:ff9b::808:808]",  # NAT64 of a public IPv4 (DNS64 networks)
        ):
            with self.subTest(host=host):
                check_outbound_url(f"http://{host}/hook")

    def test_nothing_is_sent_to_a_refused_address(self):
        status, body, error = send(
            "http://[64:ff9b::7f00:1]:1/hook", body=b"", headers={}
        )
        self.assertIsNone(status)
        self.assertIn("UnsafeURL", error)
        self.assertIn("内网或保留地址", error)
