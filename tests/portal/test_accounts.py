"""Accounts through the real pages: lockout after failed sign-ins (and support's unlock),
the second factor (required for support and underwriters, optional for dispatchers),
password reset by e-mail."""

from __future__ import annotations

import re
import time

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client

from portal import two_factor
from portal.models import User
from tests.conftest import PASSWORD, sign_in
from tests.totp_helpers import totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
SETUP = "/account/two-factor/"
VERIFY = "/account/two-factor/verify/"


def post_login(client: Client, username: str, password: str, next: str = "/"):
    return client.post(
        f"{LOGIN}?next={next}",
        {"username": username, "password": password, "next": next},
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


class TestLockout:
    def test_twenty_wrong_passwords_then_the_right_one_is_refused(
        self, dispatcher: User, settings, capsys: pytest.CaptureFixture[str]
    ) -> None:
        client = Client()
        statuses = [
            post_login(client, "dana", f"guess-{i}").status_code for i in range(20)
        ]
        right = post_login(client, "dana", PASSWORD)
        with capsys.disabled():
            print(
                f"\nLockout: {statuses.count(200)} wrong passwords answered with the "
                f"form, {statuses.count(429)} locked out; the right one then: "
                f"{right.status_code}"
            )
        limit = settings.AXES_FAILURE_LIMIT
        assert statuses == [200] * (limit - 1) + [429] * (20 - limit + 1)
        assert right.status_code == 429
        page = right.content.decode()
        assert "Sign-in locked" in page
        assert "Too many failed sign-ins for “dana”" in page
        assert "locked for 30 minutes, even with the right password" in page
        assert right["Retry-After"] == "1800"
        assert not signed_in(client)
        # From another browser too: the count is the username's, in the database.
        assert post_login(Client(), "dana", PASSWORD).status_code == 429
        assert AccessAttempt.objects.get(username="dana").failures_since_start >= limit

    def test_a_success_before_the_limit_resets_the_count(
        self, dispatcher: User, settings
    ) -> None:
        client = Client()
        for i in range(settings.AXES_FAILURE_LIMIT - 1):
            assert post_login(client, "dana", f"guess-{i}").status_code == 200
        assert post_login(client, "dana", PASSWORD).status_code == 302
        assert not AccessAttempt.objects.filter(username="dana").exists()

    def test_support_unlocks_in_the_admin(
        self, dispatcher: User, support: User, settings
    ) -> None:
        for i in range(settings.AXES_FAILURE_LIMIT):
            post_login(Client(), "dana", f"guess-{i}")
        assert post_login(Client(), "dana", PASSWORD).status_code == 429

        admin = sign_in(Client(), support)
        listing = admin.get("/admin/axes/accessattempt/")
        assert listing.status_code == 200 and b"dana" in listing.content
        attempt = AccessAttempt.objects.get(username="dana")
        unlocked = admin.post(
            f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}
        )
        assert unlocked.status_code == 302
        client = Client()
        assert post_login(client, "dana", PASSWORD).status_code == 302
        assert signed_in(client)


def secret_on(page: bytes) -> str:
    found = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.decode())
    assert found, "no key on the setup page"
    return found.group(1)


class TestSecondFactor:
    @pytest.mark.parametrize("role", ["underwriter", "support"])
    def test_required_after_the_password(
        self, role: str, underwriter: User, support: User
    ) -> None:
        user = {"underwriter": underwriter, "support": support}[role]
        client = Client()
        response = post_login(client, user.username, PASSWORD)
        # The password is right, but the session goes on only to set up the app.
        assert response.status_code == 302
        for path in ("/", "/underwriting/", "/admin/", "/techs/"):
            blocked = client.get(path)
            assert blocked.status_code == 302, path
            assert blocked["Location"].startswith(f"{SETUP}?next="), path

        setup = client.get(f"{SETUP}?next=/")
        assert setup.status_code == 200
        assert b"Your role sees every platform" in setup.content
        assert b'data-testid="totp-qr"' in setup.content
        key = secret_on(setup.content)

        wrong = client.post(SETUP, {"code": "000000", "next": "/"})
        assert wrong.status_code == 200
        assert two_factor.WRONG_CODE in wrong.content.decode()
        # django-otp throttles after a wrong code (1 s, doubling), even the right one.
        throttled = client.post(SETUP, {"code": totp_code(key), "next": "/"})
        assert throttled.status_code == 200
        assert "Too many wrong codes in a row. Wait" in throttled.content.decode()
        time.sleep(2.1)
        done = client.post(SETUP, {"code": totp_code(key), "next": "/"})
        assert done.status_code == 302 and done["Location"] == "/"
        assert client.get("/").status_code == 200

        # Next sign-in: the code, not the setup again.
        client.post("/logout/")
        post_login(client, user.username, PASSWORD)
        asked = client.get("/")
        assert asked["Location"].startswith(f"{VERIFY}?next=")
        refused = client.post(VERIFY, {"code": "123456", "next": "/"})
        assert two_factor.WRONG_CODE in refused.content.decode()
        assert client.get("/").status_code == 302
        time.sleep(1.1)
        verified = client.post(VERIFY, {"code": totp_code(key, later=1), "next": "/"})
        assert verified.status_code == 302 and verified["Location"] == "/"
        assert client.get("/").status_code == 200

    def test_the_admin_login_is_no_way_around_it(self, support: User) -> None:
        client = Client()
        client.post(
            "/admin/login/?next=/admin/",
            {"username": support.username, "password": PASSWORD, "next": "/admin/"},
        )
        assert signed_in(client)
        assert client.get("/admin/")["Location"].startswith(f"{SETUP}?next=")

    def test_a_next_elsewhere_is_not_followed(self, underwriter: User) -> None:
        client = Client()
        post_login(client, underwriter.username, PASSWORD)
        key = secret_on(client.get(SETUP).content)
        done = client.post(
            SETUP, {"code": totp_code(key), "next": "https://evil.example/"}
        )
        assert done["Location"] == "/"

    def test_optional_for_dispatchers_and_required_once_on(
        self, dispatcher: User
    ) -> None:
        client = Client()
        post_login(client, dispatcher.username, PASSWORD)
        assert client.get("/board/").status_code == 200

        setup = client.get(SETUP)
        assert b"Optional for dispatchers" in setup.content
        key = secret_on(setup.content)
        assert client.post(SETUP, {"code": totp_code(key)}).status_code == 302

        client.post("/logout/")
        post_login(client, dispatcher.username, PASSWORD)
        assert client.get("/board/")["Location"].startswith(f"{VERIFY}?next=")
        client.post(VERIFY, {"code": totp_code(key, later=1)})
        assert client.get("/board/").status_code == 200

    def test_the_apis_take_keys_not_sessions(
        self, underwriter: User, staff_key: str
    ) -> None:
        client = Client()
        post_login(client, underwriter.username, PASSWORD)
        response = client.get(
            "/policy/v1/policies", headers={"Authorization": f"Bearer {staff_key}"}
        )
        assert response.status_code == 200


class TestPasswordReset:
    def test_reset_by_email(self, dispatcher: User) -> None:
        dispatcher.email = "dana@acme.example"
        dispatcher.save()
        client = Client()
        assert b"Forgot your password?" in client.get(LOGIN).content
        sent = client.post("/account/password-reset/", {"email": "dana@acme.example"})
        assert sent.status_code == 302
        assert b"Check your e-mail" in client.get(sent["Location"]).content

        [message] = mail.outbox
        assert message.to == ["dana@acme.example"]
        assert message.subject == "Reset your Dispatch coverage password"
        link = re.search(
            r"http://testserver(/account/password-reset/\S+/)", message.body
        )
        assert link, message.body
        form = client.get(link.group(1), follow=True)
        assert b"Choose a new password" in form.content
        changed = client.post(
            form.redirect_chain[-1][0],
            {
                "new_password1": "a-new-long-pass-77",
                "new_password2": "a-new-long-pass-77",
            },
        )
        assert changed.status_code == 302
        assert b"Password changed" in client.get(changed["Location"]).content

        assert post_login(Client(), "dana", PASSWORD).status_code == 200
        assert post_login(Client(), "dana", "a-new-long-pass-77").status_code == 302
        # The link works once.
        again = client.get(link.group(1), follow=True)
        assert b"has been used already or has expired" in again.content

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(
        self, db: None
    ) -> None:
        sent = Client().post("/account/password-reset/", {"email": "nobody@x.example"})
        assert sent.status_code == 302
        assert mail.outbox == []
