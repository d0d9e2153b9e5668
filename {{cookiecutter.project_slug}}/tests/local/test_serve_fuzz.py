"""A bounded fuzz of the local endpoint: generated requests (methods, paths, odd
Content-Length and Content-Type headers, random bytes and near-CSV bodies) sent over
raw sockets to a real server. Each must get a well-formed HTTP response with a 2xx or
4xx status (never a 5xx, never a dropped connection), and the server must still answer
/ping at the end. Derandomized: the same requests on every run."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .serving import FEATURES, exchange, parse_response, running_server, tiny_model

# Six hundred requests take seconds: the fuzz runs with `make test-slow`.
pytestmark = pytest.mark.slow

CASES = 600

# Most requests are well-framed invocations, so that bodies reach the CSV reader; the
# rest exercise routing and request-line parsing.
methods = st.one_of(
    st.just("POST"),
    st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"]),
)
paths = st.one_of(
    st.just("/invocations"),
    st.sampled_from(["/ping", "/invocations", "/", "/ping/", "/invocations?x=1", "*", "//"]),
    st.text(alphabet="/abcdefgh?=&%.-_~", min_size=1, max_size=40).map(lambda p: "/" + p),
)
versions = st.one_of(
    st.just("HTTP/1.1"),
    st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTX/1.1", ""]),
)
content_types = st.one_of(
    st.just("text/csv"),
    st.none(),
    st.sampled_from(
        [
            "text/csv",
            "TEXT/CSV; charset=utf-8",
            "text/csv;label_size=2",
            "csv",
            "application/json",
            "text/libsvm",
            "application/x-recordio-protobuf",
            "",
            ";;",
            "text/csv; label_size",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
)
accepts = st.one_of(
    st.none(), st.sampled_from(["text/csv", "*/*", "application/json", "text/html", ""])
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["", " ", "nan", "inf", "-inf", "1e309", "1_0", "0x10", "--1", "1,5"]),
)
near_csv = st.lists(
    st.lists(numbers, min_size=0, max_size=FEATURES + 2).map(",".join), min_size=0, max_size=5
).map(lambda rows: "\n".join(rows).encode("utf-8"))
model_rows = st.lists(
    st.lists(st.floats(-1e6, 1e6).map(repr), min_size=FEATURES, max_size=FEATURES).map(",".join),
    min_size=1,
    max_size=5,
).map(lambda rows: "\n".join(rows).encode("utf-8"))
bodies = st.one_of(
    model_rows,
    near_csv,
    st.binary(max_size=200),
    st.text(max_size=60).map(lambda text: text.encode("utf-8")),
)


@st.composite
def requests(draw) -> bytes:
    """One HTTP request, possibly malformed, as the bytes sent."""
    body = draw(bodies)
    request_line = " ".join(part for part in (draw(methods), draw(paths), draw(versions)) if part)
    headers = [b"Host: 127.0.0.1"]
    content_type, accept = draw(content_types), draw(accepts)
    if content_type is not None:
        headers.append(f"Content-Type: {content_type}".encode("latin-1"))
    if accept is not None:
        headers.append(f"Accept: {accept}".encode("latin-1"))
    length = draw(
        st.one_of(
            st.just(str(len(body))),
            st.just(str(len(body))),
            st.just(None),
            st.sampled_from(["abc", "-5", "", " 3 ", "1e3", "99999999999999999999", "+4"]),
            st.integers(0, 400).map(str),
        )
    )
    if length is not None:
        headers.append(f"Content-Length: {length}".encode("latin-1"))
    headers += draw(
        st.lists(
            st.sampled_from(
                [
                    b"Transfer-Encoding: chunked",
                    b"Connection: keep-alive",
                    b"Expect: 100-continue",
                    b"X-Odd: \xff\xfe",
                    b"no colon here",
                    b"Content-Length: 7",
                ]
            ),
            max_size=2,
        )
    )
    return request_line.encode("latin-1") + b"\r\n" + b"\r\n".join(headers) + b"\r\n\r\n" + body


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    with running_server(tiny_model(tmp_path_factory.mktemp("model"))) as port:
        yield port


def test_every_generated_request_gets_a_2xx_or_4xx_and_the_server_stays_up(port):
    statuses: dict[int, int] = {}

    @settings(
        max_examples=CASES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(requests())
    def one_request(request: bytes) -> None:
        raw = exchange(port, request, timeout=15)
        assert raw, f"the server closed the connection without answering {request!r}"
        response = parse_response(raw, to_head=request.startswith(b"HEAD "))
        assert 200 <= response.status < 300 or 400 <= response.status < 500, (
            f"{response.status} for {request!r}: {response.body!r}"
        )
        statuses[response.status] = statuses.get(response.status, 0) + 1

    started = time.monotonic()
    one_request()
    elapsed = time.monotonic() - started
    assert sum(statuses.values()) >= 500, statuses
    assert parse_response(exchange(port, b"GET /ping HTTP/1.1\r\n\r\n")).status == 200
    assert elapsed < 60, f"the fuzz took {elapsed:.0f} s"
    total = sum(statuses.values())
    print(f"{total} requests in {elapsed:.1f} s, statuses {sorted(statuses.items())}")
