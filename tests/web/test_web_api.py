"""The JSON API: every status code and content type of the contract, each response checked
against the served OpenAPI document; CORS, language choice, request ids, logs without contents."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import pytest

from preflight.web import create_app
from preflight.web.negotiation import language_from_header

from .conftest import EXAMPLES

PATH = "/api/v1/preflight"


def _example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


@pytest.mark.parametrize(
    ("example", "content_type", "status", "verdict"),
    [
        ("ready.json", "application/json", 200, "ready"),
        ("blocked.yaml", "application/yaml", 200, "blocked"),
        ("blocked.yaml", "text/yaml", 200, "blocked"),
        ("blocked.yaml", "application/x-yaml", 200, "blocked"),
        ("audit-office.json", "application/json; charset=utf-8", 200, "blocked"),
        ("invalid.json", "application/json", 422, "invalid"),
        ("not-json.txt", "application/yaml", 400, "invalid"),
    ],
)
def test_check_answers_with_the_contract_status(client: Any, conforms: Any, example: str, content_type: str, status: int, verdict: str) -> None:
    """Each example gets its contract status and a report with the matching verdict."""
    response = client.post(PATH, data=_example(example), content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json()["verdict"] == verdict
    conforms(response, "POST", PATH)


def test_blocked_report_lists_findings_in_dutch_by_default(client: Any) -> None:
    """Without lang the report is Dutch and carries the blocking finding with its evidence."""
    response = client.post(PATH, data=_example("blocked.yaml"), content_type="application/yaml")
    assert response.status_code == 200
    report = response.get_json()
    assert report["lang"] == "nl"
    assert response.headers["Content-Language"] == "nl"
    finding = next(f for f in report["findings"] if f["rule"] == "documents-awaiting-authorisation")
    assert finding["subject"] == "administration:2001"
    assert finding["evidence"]["pending_authorisation"] == 12
    assert report["summary"]["blocking"] > 0


def test_report_body_is_the_clis_report(client: Any, cli: Any) -> None:
    """The API answers the report `preflight check --format json` prints for the same snapshot — same
    fields, values and order; the API sends it compact — and the same bytes on every request."""
    printed = cli("check", "examples/blocked.yaml", "--format", "json")
    first = client.post(PATH, data=_example("blocked.yaml"), content_type="application/yaml")
    second = client.post(PATH, data=_example("blocked.yaml"), content_type="application/yaml")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert json.dumps(json.loads(first.data)) == json.dumps(json.loads(printed.stdout))


def test_unparseable_body_gives_line_and_column(client: Any, conforms: Any) -> None:
    """A body that does not parse is a 400 whose error says where: line and column."""
    response = client.post(PATH, data=b'{"snapshot_version": 1,\n  "taken_at": }', content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["errors"][0]
    assert (error["line"], error["column"]) == (2, 15)
    conforms(response, "POST", PATH)


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"", "leeg"), (b"\xff\xfe{}", "UTF-8"), (b"[1, 2", "JSON")],
)
def test_empty_or_undecodable_body_is_400(client: Any, conforms: Any, body: bytes, expected: str) -> None:
    """Empty, non-UTF-8 and truncated bodies are 400 with the reason."""
    response = client.post(PATH, data=body, content_type="application/json")
    assert response.status_code == 400
    assert expected in response.get_json()["errors"][0]["message"]
    conforms(response, "POST", PATH)


def test_contract_violations_are_422_with_every_path(client: Any) -> None:
    """invalid.json breaks the contract in several places; each is reported by JSON pointer."""
    response = client.post(PATH, data=_example("invalid.json"), content_type="application/json")
    assert response.status_code == 422
    paths = {e["path"] for e in response.get_json()["errors"]}
    assert "/snapshot_version" in paths
    assert "/administrations/2/pending_authorisation" in paths


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_other_content_types_are_415(client: Any, conforms: Any, content_type: str | None) -> None:
    """Only JSON and YAML media types are read; anything else is 415 with the accepted list."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(PATH, data=_example("ready.json"), headers=headers)
    assert response.status_code == 415
    body = response.get_json()
    assert body["error"]["code"] == "unsupported_media_type"
    assert body["error"]["request_id"] == response.headers["X-Request-ID"]
    assert "application/yaml" in response.headers["Accept-Post"]
    conforms(response, "POST", PATH)


def test_body_over_the_limit_is_413(conforms: Any) -> None:
    """A body larger than PREFLIGHT_MAX_BODY_BYTES is refused with 413 in the error envelope."""
    client = create_app({"TESTING": True, "PREFLIGHT_MAX_BODY_BYTES": 2048, "PREFLIGHT_WARMUP": False}).test_client()
    response = client.post(PATH, data=b" " * 4096 + b"{}", content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    # sizes for people, in the request's language (Dutch by default)
    assert response.get_json()["error"]["message"] == (
        "de snapshot is 0,0 MB (4.098 bytes); hoogstens 0,0 MB (2.048 bytes) wordt gelezen"
    )
    conforms(response, "POST", PATH)


def test_chunked_body_over_the_limit_is_413() -> None:
    """Without a Content-Length (chunked upload) the limit still holds."""
    client = create_app({"TESTING": True, "PREFLIGHT_MAX_BODY_BYTES": 2048, "PREFLIGHT_WARMUP": False}).test_client()
    response = client.post(
        PATH,
        input_stream=__import__("io").BytesIO(b"x" * 10_000),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn sets it for chunked bodies
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("query", "header", "lang"),
    [
        ("", "", "nl"),
        ("?lang=en", "", "en"),
        ("?lang=EN", "nl", "en"),
        ("", "en-GB,en;q=0.9", "en"),
        ("", "fr-FR, en;q=0.5, nl;q=0.8", "nl"),
        ("", "de, fr", "nl"),
        ("", "en;q=0, nl;q=0.1", "nl"),
        ("?lang=nl", "en", "nl"),
    ],
)
def test_language_from_query_or_accept_language(client: Any, query: str, header: str, lang: str) -> None:
    """?lang= wins; else the best-quality supported Accept-Language; else Dutch."""
    headers = {"Accept-Language": header} if header else {}
    response = client.post(PATH + query, data=_example("blocked.yaml"), content_type="application/yaml", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["lang"] == lang


def test_english_report_has_english_messages(client: Any) -> None:
    """lang=en gives English messages and remedies."""
    response = client.post(PATH + "?lang=en", data=_example("blocked.yaml"), content_type="application/yaml")
    assert response.status_code == 200
    finding = next(f for f in response.get_json()["findings"] if f["rule"] == "documents-awaiting-authorisation")
    assert "authoris" in finding["message"].lower()


@pytest.mark.parametrize(("header", "expected"), [("", "nl"), ("*", "nl"), ("nl-BE", "nl"), ("en-US;q=0.7, nl;q=0.6", "en"), ("en;q=abc, nl", "nl"), ("en;q=2", "nl")])
def test_accept_language_parsing(header: str, expected: str) -> None:
    """Quality values decide; regional variants count; malformed qualities are ignored."""
    assert language_from_header(header, "nl") == expected


@pytest.mark.parametrize("query", ["?lang=fr", "?engine=drools"])
def test_unknown_lang_or_engine_is_400(client: Any, conforms: Any, query: str) -> None:
    """An unsupported lang or engine is a 400 in the error envelope, naming the choices."""
    response = client.post(PATH + query, data=_example("ready.json"), content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    conforms(response, "POST", PATH)


def test_engine_that_cannot_run_here_is_400(client: Any, conforms: Any, without_durable: None) -> None:
    """Without durable-rules (Python 3.13), ?engine=durable is a 400 in the envelope naming the Python version."""
    response = client.post(PATH + "?engine=durable", data=_example("ready.json"), content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in error["message"]
    conforms(response, "POST", PATH)


def test_every_engine_gives_the_same_report(client: Any) -> None:
    """The default (compiled) engine, ?engine=python, ?engine=durable (where it runs) and
    ?engine=cross-check give the same report on the example."""
    from preflight.pipeline import available_engines

    default = client.post(PATH, data=_example("blocked.yaml"), content_type="application/yaml")
    assert default.status_code == 200
    for engine in (*available_engines(), "cross-check"):
        other = client.post(f"{PATH}?engine={engine}", data=_example("blocked.yaml"), content_type="application/yaml")
        assert other.status_code == 200, engine
        assert other.get_data() == default.get_data(), engine


def test_a_cross_check_disagreement_is_a_409_naming_the_field(client: Any, monkeypatch: Any, conforms: Any) -> None:
    """When the cross-check's engines disagree the answer is 409 engines_disagree, naming the first
    differing field of the report — never one engine's report chosen silently."""
    from preflight.pipeline import get_engine

    cross = get_engine("cross-check")
    real = cross.second.findings

    def altered(snapshot: Any, phase: Any, lang: str) -> Any:
        found = real(snapshot, phase, lang)
        return [found[0]._replace(message=found[0].message + " (anders)"), *found[1:]]

    monkeypatch.setattr(cross.second, "findings", altered)
    response = client.post(PATH + "?engine=cross-check", data=_example("blocked.yaml"), content_type="application/yaml")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "engines_disagree"
    assert "/message" in error["message"] and "(anders)" in error["message"]
    conforms(response, "POST", PATH)


def test_rules_lists_every_loaded_rule(client: Any, conforms: Any) -> None:
    """GET /api/v1/rules lists id, severity, mode, FAQ and messages of each rule."""
    response = client.get("/api/v1/rules")
    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == len(body["rules"]) >= 28
    rule = next(r for r in body["rules"] if r["id"] == "documents-awaiting-authorisation")
    assert (rule["severity"], rule["mode"]) == ("blocking", "A")
    assert rule["message"][0]["nl"] and rule["message"][0]["en"]
    conforms(response, "GET", "/api/v1/rules")


def test_healthz(client: Any, conforms: Any) -> None:
    """GET /healthz says ok and how many rules are loaded."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    conforms(response, "GET", "/healthz")


def test_unknown_path_and_method_are_json_errors(client: Any) -> None:
    """404 and 405 on the API come in the JSON error envelope (405 with Allow)."""
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong = client.get(PATH)
    assert wrong.status_code == 405
    assert "POST" in wrong.headers["Allow"]
    assert wrong.get_json()["error"]["code"] == "method_not_allowed"


def test_unexpected_exception_is_a_json_500_with_request_id(monkeypatch: Any, caplog: Any) -> None:
    """A bug inside a check answers a JSON 500 with the request id, and the log keeps no contents."""
    from preflight.web import checking

    def explode(data: Any, **kwargs: Any) -> None:
        raise RuntimeError(data["source_office"]["name"])

    monkeypatch.setattr(checking, "check", explode)
    client = create_app({"TESTING": False, "PREFLIGHT_WARMUP": False}).test_client()
    with caplog.at_level(logging.INFO, logger="preflight.web"):
        response = client.post(PATH, data=_example("ready.json"), content_type="application/json", headers={"X-Request-ID": "ticket-42"})
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"] == {"status": 500, "code": "internal_error", "message": body["error"]["message"], "request_id": "ticket-42"}
    assert response.headers["X-Request-ID"] == "ticket-42"
    assert "RuntimeError" in caplog.text
    assert "Administratiekantoor De Vries" in _example("ready.json").decode()
    assert "Administratiekantoor De Vries" not in caplog.text


def test_request_id_is_kept_when_sane_and_replaced_when_not(client: Any) -> None:
    """X-Request-ID is echoed when it is a plain token, otherwise a fresh id is made."""
    kept = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert kept.status_code == 200
    assert kept.headers["X-Request-ID"] == "abc-123"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert replaced.status_code == 200
    assert replaced.headers["X-Request-ID"] not in ("", "bad id <script>")


def test_log_line_has_verdict_rules_and_timing_but_no_contents(client: Any, caplog: Any) -> None:
    """One log line per check: request id, verdict, rule ids, ms — never names, codes or e-mails."""
    with caplog.at_level(logging.INFO, logger="preflight.web"):
        response = client.post(PATH, data=_example("blocked.yaml"), content_type="application/yaml", headers={"X-Request-ID": "log-test"})
    assert response.status_code == 200
    line = next(r.getMessage() for r in caplog.records if "request_id=log-test" in r.getMessage())
    assert "verdict=blocked" in line
    assert "documents-awaiting-authorisation" in line
    assert " ms=" in line
    snapshot_text = _example("blocked.yaml").decode()
    for secret in ("Bakkerij", "ADV01", "devries-administratie.nl", "2001", "basecone-post"):
        assert secret in snapshot_text
        assert secret not in line


def test_security_headers_on_every_response(client: Any) -> None:
    """CSP with script-src 'self', nosniff and no framing, on API and page alike."""
    for response in (client.get("/healthz"), client.get("/")):
        assert response.status_code == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"


@pytest.fixture()
def cors_client() -> Any:
    app = create_app({"TESTING": True, "PREFLIGHT_CORS_ORIGINS": ("https://form.example.nl",), "PREFLIGHT_WARMUP": False})
    return app.test_client()


def test_cors_preflight_for_an_allowed_origin(cors_client: Any) -> None:
    """OPTIONS from the web form's origin is 204 with the allowed method and headers."""
    response = cors_client.options(PATH, headers={"Origin": "https://form.example.nl", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://form.example.nl"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_cors_post_from_allowed_origin_is_readable(cors_client: Any) -> None:
    """The actual POST from the allowed origin carries Allow-Origin and exposes X-Request-ID."""
    response = cors_client.post(PATH, data=_example("ready.json"), content_type="application/json", headers={"Origin": "https://form.example.nl"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://form.example.nl"
    assert "X-Request-ID" in response.headers["Access-Control-Expose-Headers"]
    assert "Origin" in response.headers["Vary"]


def test_cors_other_origin_gets_no_allow_header(cors_client: Any) -> None:
    """Another origin gets no Access-Control-Allow-Origin, so its browser keeps the answer from it."""
    preflight = cors_client.options(PATH, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert "Access-Control-Allow-Origin" not in preflight.headers
    post = cors_client.post(PATH, data=_example("ready.json"), content_type="application/json", headers={"Origin": "https://evil.example"})
    assert post.status_code == 200
    assert "Access-Control-Allow-Origin" not in post.headers


def test_reports_are_not_cached(client: Any) -> None:
    """A report holds customer data: Cache-Control no-store."""
    response = client.post(PATH, data=_example("ready.json"), content_type="application/json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_yaml_body_sent_as_json_type_is_read_by_content(client: Any) -> None:
    """The body is parsed by content, so YAML labelled application/json is still checked."""
    response = client.post(PATH, data=_example("blocked.yaml"), content_type="application/json")
    assert response.status_code == 200
    assert json.loads(response.data)["verdict"] == "blocked"
