"""GTM_SMTP_URL and GTM_BASE_URL are checked at start-up, with a message naming the variable."""
import pytest

from gtm.config import ConfigError, base_url, smtp_url


@pytest.mark.parametrize("good", ["smtp://127.0.0.1:2525", "smtps://user:p%40ss@mail.example.com:465",
                                  "smtp://mail.example.com"])
def test_smtp_urls_gtm_can_use(good):
    assert smtp_url(good) == good


@pytest.mark.parametrize("bad", ["mail.example.com", "http://mail.example.com", "smtp://", "smtp://host:port"])
def test_smtp_urls_refused(bad):
    with pytest.raises(ConfigError, match="GTM_SMTP_URL"):
        smtp_url(bad)


def test_no_smtp_url_means_no_email():
    assert smtp_url("") is None and smtp_url(None) is None


def test_base_url():
    assert base_url("https://gtm.example.com/") == "https://gtm.example.com"
    with pytest.raises(ConfigError, match="GTM_BASE_URL"):
        base_url("gtm.example.com")
