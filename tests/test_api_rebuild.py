"""Serving while the store is rebuilt (issues 14.3, 15.2): a real `gazettekg build` publishes
into the store a running app serves; concurrent queries on every kind of route all succeed,
each answer is the old total or the new one, and once a client has seen the new one it never
sees the old one again (one store version at a time, also for workers replaced meanwhile)."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from gazettekg.common import sample_path

GAZETTEKG = Path(sys.executable).with_name("gazettekg")
OTHER = Path(__file__).parent / "data" / "other" / "henan-provincial.txt"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def build(store: Path, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(GAZETTEKG), "build", *map(str, files), "--store", str(store)],
                          capture_output=True, text=True, timeout=300)


def test_queries_during_a_rebuild_see_one_version_at_a_time(tmp_path):
    store = tmp_path / "store"
    assert build(store, OTHER).returncode == 0
    app = create_app(Settings.from_env({}, store=store, workers=2, time_limit=1.5))
    with TestClient(app) as c:
        def count(http=c) -> int:
            r = http.get("/sparql", params={"query": COUNT})
            assert r.status_code == 200, r.text
            return int(r.json()["results"]["bindings"][0]["n"]["value"])

        def plans(http=c) -> int:
            r = http.get("/api/plans")
            assert r.status_code == 200, r.text
            return r.json()["count"]

        old, old_plans = count(), plans()
        first_version = c.get("/health").json()["version"]
        seen: dict[str, list[tuple[int, int]]] = {}
        failures: list[str] = []
        done = threading.Event()

        def client(name, ask):
            mine = seen.setdefault(name, [])
            http = TestClient(app, client=(f"10.0.0.{len(seen)}", 4000))  # one address per client
            while not done.is_set():
                try:
                    mine.append(ask(http))
                except AssertionError as err:
                    failures.append(f"{name}: {err}")

        threads = [threading.Thread(target=client, args=(f"count{i}", count)) for i in range(3)]
        threads.append(threading.Thread(target=client, args=("plans", plans)))
        for t in threads:
            t.start()
        try:
            built = build(store, sample_path(), OTHER)
            # while the new version opens, a client forces a worker to be replaced (a timeout)
            assert c.get("/sparql", params={"query": SLOW}).status_code == 503
            deadline = time.monotonic() + 60
            while c.get("/health").json()["version"] == first_version and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)
        finally:
            done.set()
            for t in threads:
                t.join()
        assert built.returncode == 0, built.stderr
        assert failures == []
        new, new_plans = count(), plans()
        assert new > old and new_plans > old_plans
        for name, answers in seen.items():
            before, after = (old_plans, new_plans) if name == "plans" else (old, new)
            assert set(answers) <= {before, after}, (name, set(answers))
            assert after in answers, name
            first_new = answers.index(after)
            assert all(a == after for a in answers[first_new:]), (name, answers)
        total = sum(len(a) for a in seen.values())
        print(f"rebuild: {total} queries during the build, 0 failures; COUNT {old} -> {new}, plans {old_plans} -> "
              f"{new_plans}; answers per client {[len(a) for a in seen.values()]}")
        assert total > 20
        health = c.get("/health").json()
        assert health["version"] != first_version and health["triples"] == new
        assert health["workers"]["versionSwitches"] == 1
