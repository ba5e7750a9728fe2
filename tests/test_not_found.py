import pytest

pytestmark = pytest.mark.django_db


def test_unknown_url_is_404_for_logged_in(it_user, client_for):
    assert client_for(it_user).get("/does-not-exist/").status_code == 404
