"""Who may open what: every portal page requires login, and roles decide the rest."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.models import Platform, Role, User

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_login() -> None:
    for path in ("/", "/admin/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/") or response[
            "Location"
        ].startswith("/admin/login/")


def test_login_page_renders_and_signs_in(dispatcher: User) -> None:
    client = Client()
    assert "Sign in" in client.get("/login/").content.decode()
    response = client.post(
        "/login/", {"username": "dana", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/", follow=True).status_code == 200


def test_wrong_password_shows_an_inline_error(dispatcher: User) -> None:
    response = Client().post("/login/", {"username": "dana", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logout_is_a_post(dispatcher: User, client_as) -> None:
    client = client_as(dispatcher)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("role", ["dispatcher", "underwriter", "support"])
def test_every_role_has_a_home_page(
    role: str, request: pytest.FixtureRequest, client_as
) -> None:
    user = request.getfixturevalue(role)
    response = client_as(user).get("/", follow=True)
    assert response.status_code == 200
    assert f'data-testid="{role}-home"' in response.content.decode()


def test_a_dispatchers_home_is_the_ticket_board(dispatcher: User, client_as) -> None:
    response = client_as(dispatcher).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/board/"


def test_admin_is_for_support_only(
    dispatcher: User, underwriter: User, support: User, client_as
) -> None:
    assert client_as(support).get("/admin/").status_code == 200
    for user in (dispatcher, underwriter):
        response = client_as(user).get("/admin/")
        assert response.status_code == 302, user.role
        assert response["Location"].startswith("/admin/login/")


def test_support_can_open_model_pages_in_the_admin(support: User, client_as) -> None:
    client = client_as(support)
    for path in (
        "/admin/portal/platform/",
        "/admin/portal/apikey/",
        "/admin/portal/user/",
    ):
        assert client.get(path).status_code == 200, path


def test_navigation_shows_only_what_the_role_may_use(
    dispatcher: User, support: User, client_as
) -> None:
    assert 'href="/admin/"' not in client_as(dispatcher).get("/").content.decode()
    assert 'href="/admin/"' in client_as(support).get("/").content.decode()


def test_a_dispatcher_never_sees_another_platform(
    dispatcher: User, other_platform: Platform, client_as
) -> None:
    page = client_as(dispatcher).get("/", follow=True).content.decode()
    assert dispatcher.platform.name in page
    assert other_platform.name not in page
    assert other_platform.public_id not in page
    assert list(Platform.objects.visible_to(dispatcher)) == [dispatcher.platform]


def test_underwriters_and_support_see_every_platform(
    underwriter: User,
    support: User,
    platform: Platform,
    other_platform: Platform,
    client_as,
) -> None:
    for user in (underwriter, support):
        page = client_as(user).get("/").content.decode()
        assert platform.name in page and other_platform.name in page
        assert Platform.objects.visible_to(user).count() == 2


def test_dispatcher_without_platform_is_refused_by_the_database(db: None) -> None:
    from django.core.exceptions import ValidationError

    user = User(username="lost", role=Role.DISPATCHER)
    with pytest.raises(ValidationError, match="A dispatcher belongs to a platform."):
        user.full_clean()


def test_role_decides_staff_status(support: User, underwriter: User) -> None:
    assert support.is_staff and not underwriter.is_staff
    underwriter.is_staff = True
    underwriter.save()
    underwriter.refresh_from_db()
    assert not underwriter.is_staff


def test_pages_carry_a_content_security_policy(dispatcher: User, client_as) -> None:
    policy = client_as(dispatcher).get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
