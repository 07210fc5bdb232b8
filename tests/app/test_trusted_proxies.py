"""Behind a reverse proxy the platform believes the proxy's X-Forwarded-For/-Proto, and only when told to
(``SUNSHINE_TRUSTED_PROXIES``): sign-in throttling counts the real client, and a client cannot pose as another."""

from __future__ import annotations

import pytest
from flask import jsonify, request
from sqlalchemy import select

from app import create_app
from engine.store import SignInAttempt
from tests.app.conftest import csrf
from tests.settings import make_settings

# What nginx sends (deploy/nginx/sunshine.conf): whatever the client claimed, then the address nginx saw.
FORWARDED = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Forwarded-Proto": "https"}


def _app(demo_db, trusted: int):  # type: ignore[no-untyped-def]
    app = create_app(make_settings(database_url=demo_db.url, trusted_proxies=trusted))

    @app.route("/_seen")
    def seen():  # type: ignore[no-untyped-def]
        return jsonify(address=request.remote_addr, scheme=request.scheme)

    return app


def _failed_sign_in_address(app) -> str:  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.post("/login", headers=FORWARDED, data={"username": "shouli", "password": "wrong", "csrf": csrf(client)})
    with app.extensions["sunshine"].sessions() as s:
        return s.scalars(select(SignInAttempt.address).order_by(SignInAttempt.id.desc())).first()


@pytest.mark.parametrize(("trusted", "address", "scheme"), [
    (1, "203.0.113.9", "https"),  # the one proxy's word: the address it saw, the scheme it was reached by
    (2, "198.51.100.1", "https"),  # two: the address the outer one saw, passed on by nginx, nginx's scheme
    (0, "127.0.0.1", "http"),  # no proxy configured: the headers are anyone's claim and count for nothing
])
def test_the_client_address_and_scheme_come_from_trusted_proxies_only(demo_db, trusted, address, scheme):
    app = _app(demo_db, trusted)
    assert app.test_client().get("/_seen", headers=FORWARDED).get_json() == {"address": address, "scheme": scheme}
    assert _failed_sign_in_address(app) == address
