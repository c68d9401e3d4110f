"""The delivery log in the admin is read-only and opens for a platform admin."""

import pytest
from django.test import Client

from dangjian.test import make_person


@pytest.mark.django_db
def test_the_delivery_log_opens_without_an_add_button():
    admin = make_person("root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    for url in ("/admin/publicity_deliveries/", "/admin/publicity_deliveries/results/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"/admin/publicity_deliveries/new/" not in response.content
