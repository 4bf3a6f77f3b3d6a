import pytest

from tests import builders


def test_login_page_in_indonesian(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Masuk ke pamilu" in response.content.decode()


def test_indonesian_even_when_browser_prefers_english(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Masuk ke pamilu" in response.content.decode()
    assert response["Content-Language"] == "id"


def test_english_after_choosing_it(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert "Sign in to pamilu" in response.content.decode()
    assert response["Content-Language"] == "en"


def test_wrong_password_keeps_username(client, personas):
    response = client.post("/accounts/login/", {"username": "kapolsek.sirimau", "password": "x"})
    assert response.status_code == 200
    assert 'value="kapolsek.sirimau"' in response.content.decode()


@pytest.mark.outsider("home")
def test_operator_lands_on_their_units_today(client, personas):
    client.force_login(personas.kapolsek_a)
    assert client.get("/").url == "/reports/today/"


def test_command_center_lands_on_dashboard(client, personas):
    client.force_login(personas.command_center)
    assert client.get("/").url == "/dashboard/"


def test_pages_require_login(client, db):
    for url in ["/", "/dashboard/", "/reports/", "/personnel/", "/summaries/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/"), url


@pytest.mark.outsider("personnel:list")
def test_personnel_list_scoped_and_searchable(client, personas, tree):
    builders.person(tree.sirimau, name="Ahmad Latuconsina", nrp="85031111")
    builders.person(tree.labuan, name="Ahmad Outsider", nrp="85032222")
    client.force_login(personas.reviewer)
    body = client.get("/personnel/", {"q": "Ahmad"}).content.decode()
    assert "Ahmad Latuconsina" in body
    assert "Ahmad Outsider" not in body
