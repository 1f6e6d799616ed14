"""Which addresses a webhook may go to: public ones only, an IPv4 address inside an IPv6 one judged as itself."""
import pytest

from gtm import webhook_http


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::",
                                     "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                                     "64:ff9b::a00:1", "2002:7f00:1::", "not an address"])
def test_a_private_or_special_address_is_not_public(address):
    assert not webhook_http.is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_a_public_address_is(address):
    assert webhook_http.is_public(address)


def test_a_host_resolving_to_loopback_is_refused_before_anything_is_sent():
    with pytest.raises(webhook_http.Refused, match="localhost resolves to"):
        webhook_http.resolve("localhost", 80, allow_private=False)
    assert webhook_http.resolve("localhost", 80, allow_private=True)
