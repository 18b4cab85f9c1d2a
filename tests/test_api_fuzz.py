"""A bounded fuzz and abuse run against the whole service (issue 14.5): 1,000 generated
malformed or hostile requests — mutated SPARQL, path traversal on every route, invalid
UTF-8, repeated parameters, oversized bodies, odd headers. Expected: no 5xx, no hang, and
no stack trace or file-system path in any response. Deterministic (seeded), in-process."""
from __future__ import annotations

import random
import time
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from queries.library import load_library

N = 1000
ROUTES = ["/sparql", "/api/plans", "/api/units", "/api/regions", "/api/projects", "/api/queries",
          "/api/queries/plan_tasks", "/api/plans/{x}", "/api/tasks/{x}", "/api/units/{x}", "/api/related/{x}",
          "/api/conflicts", "/id/{x}", "/graph/overview.json", "/graph/entity.json?iri={x}", "/graph/query.json",
          "/graph/static/{x}", "/static/{x}", "/docs", "/health", "/api/settings", "/"]
TRAVERSAL = ["../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/api/app.py", "....//....//etc",
             "..\\..\\windows\\win.ini", "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "/etc/passwd", "x%00.js",
             "task/../../../../proc/self/environ", "%252e%252e%252f"]
HOSTILE = ["<script>alert(1)</script>", "' OR 1=1 --", "\u202e\u0000\ufeff", "SERVICE", "{{7*7}}", "${jndi:x}",
           "%s%s%s%n", "\ufffe\uffff", "🙂" * 50, "A" * 5000]
LEAKS = ["Traceback", "site-packages", 'File "', "/work/", "/tmp/", "/home/", "pyoxigraph.", "rdflib."]


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        pos = rng.randrange(len(chars) + 1)
        if op < 0.3 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif op < 0.6:
            chars.insert(pos, rng.choice("{}()<>\"'#?$:.;,|^*+!\\\n\x00\u00a0\u3000SERVICE"))
        elif op < 0.8:
            chars[pos:pos] = list(rng.choice(HOSTILE))
        else:
            chars[pos:pos] = list(rng.choice([" SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } ", " LOAD <x:y> ",
                                               " FROM <file:///etc/passwd> ", "}" * 30, "{" * 30, "(" * 45]))
    return "".join(chars)


def generate(rng: random.Random, queries: list[str]):
    """(method, url, kwargs) for one request."""
    kind = rng.random()
    if kind < 0.45:   # mutated SPARQL, every way the protocol allows
        q = _mutate(rng, rng.choice(queries))
        how = rng.randrange(3)
        if how == 0:
            return "GET", "/sparql", {"params": {"query": q}}
        if how == 1:
            return "POST", "/sparql", {"data": {"query": q}}
        return "POST", "/sparql", {"content": q.encode("utf-8", "surrogatepass"),
                                   "headers": {"Content-Type": "application/sparql-query"}}
    if kind < 0.65:   # path traversal / hostile ids on every route
        route = rng.choice(ROUTES)
        bad = rng.choice(TRAVERSAL + HOSTILE[:4])
        return rng.choice(["GET", "POST", "HEAD"]), route.replace("{x}", quote(bad, safe="/%.\\")), {}
    if kind < 0.75:   # invalid UTF-8 bodies and query strings
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
        ctype = rng.choice(["application/sparql-query", "application/x-www-form-urlencoded",
                            "application/sparql-query; charset=latin-1", "text/plain", ""])
        return "POST", rng.choice(["/sparql", "/graph/query.json"]), {"content": b"query=" + junk,
                                                                      "headers": {"Content-Type": ctype}}
    if kind < 0.85:   # repeated and conflicting parameters
        q = rng.choice(queries)
        params = [("query", q)] * rng.randint(1, 3) + [("format", rng.choice(["json", "csv", "ttl", "x"]))] * \
            rng.randint(1, 3) + [("default-graph-uri", rng.choice(["x", "http://e/g", "<>"]))] * rng.randint(0, 40)
        return "GET", rng.choice(["/sparql", "/api/queries/plan_tasks", "/api/plans"]), {"params": params}
    if kind < 0.92:   # oversized bodies and query strings
        if rng.random() < 0.5:
            size = rng.choice([40_000, 300_000, 1_000_000])
            return "POST", "/sparql", {"content": b"#" * size, "headers": {"Content-Type": "application/sparql-query"}}
        return "GET", "/sparql", {"params": {"query": "x" * rng.choice([40_000, 60_000])}}
    # odd headers
    headers = {rng.choice(["Accept", "Content-Type", "Content-Length", "Range", "Host"]):
               rng.choice(["\x7f", "*/*;q=abc", "text/html, " * 200, "-1", "99999999999999999999", "bytes=0-0,1-1"])}
    return rng.choice(["GET", "POST"]), rng.choice(ROUTES).replace("{x}", "x"), {"headers": headers}


@pytest.fixture(scope="module")
def client(sample_store):
    # a 32 KB request cap, so oversized query strings stay within what the test client can send
    app = create_app(Settings.from_env({}, store=sample_store.path, time_limit=10, max_request_bytes=32 * 1024))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_thousand_hostile_requests(client, sample_store):
    rng = random.Random(14_5)
    queries = [q.text for q in load_library().values()] + ["SELECT * WHERE { ?s ?p ?o } LIMIT 3", "ASK {}"]
    statuses: dict[int, int] = {}
    problems = []
    slowest = 0.0
    started = time.monotonic()
    for i in range(N):
        method, url, kwargs = generate(rng, queries)
        t0 = time.monotonic()
        try:
            r = client.request(method, url, timeout=30, **kwargs)
        except Exception as err:  # the client could not even send it (e.g. an illegal header): fine
            if "Illegal header" in str(err) or "Invalid" in str(err) or "too long" in str(err) or \
                    isinstance(err, (ValueError, UnicodeError)):
                continue
            raise
        slowest = max(slowest, time.monotonic() - t0)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        body = r.text
        if r.status_code >= 500:
            problems.append((i, method, url[:80], r.status_code, body[:200]))
        for leak in LEAKS + [str(sample_store.path)]:
            if leak in body and not url.startswith(("/static", "/graph/static", "/docs")):
                problems.append((i, method, url[:80], r.status_code, f"leaks {leak!r}"))
    elapsed = time.monotonic() - started
    print(f"fuzz: {N} requests in {elapsed:.1f} s, statuses {dict(sorted(statuses.items()))}, slowest {slowest:.2f} s")
    assert problems == []  # 0 × 5xx
    assert sum(statuses.values()) >= N * 0.98  # all but what the client library itself refuses to send
    assert slowest < 15  # no hang: nothing waited much past the 10 s time limit


# The one 5xx the run used to give (request 333): a deleted letter in the library's
# related_tasks query made `OPTIONAL { ?evidnce gk:basis ?basis }`, a cross product of every
# related pair with every gk:basis triple (~7 million rows; 155 s for a COUNT), stopped at the
# time limit with 503. It is a typo, refused at once with 400 and a hint (api.lint).
TYPO = load_library()["related_tasks"].text.replace("OPTIONAL { ?evidence gk:basis", "OPTIONAL { ?evidnce gk:basis")


def test_a_typo_that_makes_a_cross_product_is_400_with_a_hint(client):
    assert "?evidnce" in TYPO
    t0 = time.monotonic()
    r = client.post("/sparql", content=TYPO.encode(), headers={"Content-Type": "application/sparql-query"})
    took = time.monotonic() - t0
    assert r.status_code == 400 and took < 5, (r.status_code, took)
    err = r.json()["error"]
    assert "cross product" in err["title"] and "?evidnce" in err["detail"] and "?evidence" in err["hint"]


def test_the_cross_product_rule_refuses_no_library_query_and_no_blank_node(client):
    for q in load_library().values():
        r = client.post("/sparql", content=q.text.encode(), headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 200, (q.name, r.text[:200])
    # the same product asked for on purpose (a blank node, not a once-written variable)
    meant = "SELECT ?p ?basis WHERE { ?p a gk:Plan OPTIONAL { [] gk:basis ?basis } } LIMIT 5"
    assert client.get("/sparql", params={"query": meant}).status_code == 200
