"""The builder and store under faults and misuse, as a careless user or an attacker would try.

    python bench/faults.py [--root CHECKOUT]

Runs `python -m gazettekg build` of the bundled sample in subprocesses from the checkout
`--root` (default: this one; pass an older checkout to get its figures) and prints one line
per probe: what was tried and what happened. docs/RELIABILITY.md ("Builder and store")
records the figures before and after. Loopback only, temporary folders only.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file() and p.name != "gazettekg.lock":
            h.update(str(p.relative_to(path)).encode() + p.read_bytes())
    return h.hexdigest()[:12]


class Probe:
    def __init__(self, root: Path, work: Path):
        self.root, self.work = root, work
        self.sample = root / "gazettekg" / "sample" / "xuchang-gazette-2020-02.txt"

    def build(self, *args, preexec=None, wait=True, **kw):
        cmd = [sys.executable, "-m", "gazettekg", "build", *map(str, args)]
        if not wait:
            return subprocess.Popen(cmd, cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    **kw)
        return subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, preexec_fn=preexec, timeout=600)

    def store(self, name: str) -> Path:
        store = self.work / name
        run = self.build(self.sample, "--store", store, "--jobs", "1")
        assert run.returncode == 0, run.stderr
        return store

    def year(self, year: str) -> Path:
        path = self.work / "in" / f"xuchang-{year}-02.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(self.sample.read_text(encoding="utf-8").replace("2020", year), encoding="utf-8")
        return path


def last(stderr: str) -> str:
    lines = [l for l in stderr.strip().splitlines() if l.strip() and not l.startswith("[")]
    return (lines[-1] if lines else "")[:160]


def probe_pickle(p: Probe) -> str:
    store = p.store("pickle")
    marker = p.work / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    for cache in store.rglob("gazettekg-cache"):
        for entry in list(cache.iterdir()):
            entry.write_bytes(pickle.dumps(Payload()))
            entry.with_suffix(".pickle").write_bytes(pickle.dumps(Payload()))
    run = p.build(p.sample, "--store", store, "--jobs", "1")
    return f"exit {run.returncode}; planted pickle ran: {'YES' if marker.exists() else 'no'}"


def probe_concurrent(p: Probe) -> str:
    store = p.store("concurrent")
    files = [p.year("2021"), p.year("2022")]
    runs = [p.build(p.sample, *files[:i], "--store", store, "--jobs", "1", wait=False) for i in range(3)]
    codes = [r.wait(600) for r in runs]
    return f"3 builds at once: exits {sorted(codes)}"


def probe_store_file(p: Probe) -> str:
    f = p.work / "notes.txt"
    f.write_text("mine")
    run = p.build(p.sample, "--store", f, "--jobs", "1")
    return f"exit {run.returncode}, file kept: {f.read_text() == 'mine'}: {last(run.stderr)}"


def probe_empty_store(p: Probe) -> str:
    run = p.build(p.sample, "--store", "", "--jobs", "1")
    return f"exit {run.returncode}: {last(run.stderr) or last(run.stdout)}"


def probe_fsize(p: Probe) -> str:
    store = p.store("full")
    before = digest(store)
    extra = p.year("2021")
    limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 10, 256 << 10))
    run = p.build(p.sample, extra, "--store", store, "--jobs", "1", preexec=limit)
    return f"exit {run.returncode}, store identical: {digest(store) == before}: {last(run.stderr)}"


def probe_truncated_manifest(p: Probe) -> str:
    store = p.store("manifest")
    manifest = next(store.rglob("gazettekg-store.json"))
    manifest.write_bytes(manifest.read_bytes()[:200])
    run = p.build(p.sample, "--store", store, "--jobs", "1")
    return f"exit {run.returncode}: {last(run.stderr)}"


def probe_name(p: Probe) -> str:
    folder = p.work / "names"
    folder.mkdir()
    shutil.copy(p.sample, os.fsencode(folder) + b"/\xb9\xab\xb1\xa8.txt")
    run = p.build(folder, "--store", p.work / "names-store", "--jobs", "1")
    return f"exit {run.returncode}: {last(run.stderr)}"


def probe_utf16(p: Probe) -> str:
    f = p.work / "utf16" / "xuchang-gazette-2020-02.txt"
    f.parent.mkdir()
    f.write_bytes(p.sample.read_text(encoding="utf-8").encode("utf-16"))
    run = p.build(f, "--store", p.work / "utf16-store", "--jobs", "1")
    return f"exit {run.returncode}: {last(run.stderr) if run.returncode else run.stdout.splitlines()[0][:80]}"


def probe_crash_publish(p: Probe) -> str:
    """The build killed inside publish, between the store's old and new data: a rename is made
    to kill the process (os._exit) on its first call inside engines' publish step."""
    store = p.store("crash")
    code = ("import os, sys, pathlib\n"
            "from queries import engines\n"
            "real = pathlib.Path.rename\n"
            "def rename(self, target):\n"
            "    r = real(self, target)\n"
            "    os._exit(9)\n"
            "pathlib.Path.rename = rename\n"
            "from gazettekg.cli import main\n"
            f"main(['build', {str(p.sample)!r}, {str(p.year('2021'))!r}, '--store', {str(store)!r}, '--jobs', '1'])\n")
    subprocess.run([sys.executable, "-c", code], cwd=p.root, capture_output=True, timeout=600)
    q = subprocess.run([sys.executable, "-m", "gazettekg", "query", "--store", str(store),
                        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"], cwd=p.root, capture_output=True, text=True)
    leaked = [x.name for x in p.work.iterdir() if x.name.startswith(".crash.")]
    return f"killed after the first rename: query exit {q.returncode} {last(q.stderr)[:70]}; leaked {len(leaked)} folder(s)"


def probe_orphans(p: Probe, sig: signal.Signals) -> str:
    files = [p.year(str(y)) for y in range(2021, 2027)]
    build = p.build(*files, "--store", p.work / f"orph-{sig.name}", "--jobs", "2", wait=False,
                    start_new_session=True)
    deadline = time.monotonic() + 60
    kids: set[int] = set()
    while len(kids) < 3 and time.monotonic() < deadline:
        kids = descendants(build.pid)
        time.sleep(0.2)
    time.sleep(1)
    kids = descendants(build.pid)
    build.send_signal(sig)
    build.wait(60)
    time.sleep(5)
    left = alive(kids)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return f"{sig.name} to the build: exit {build.returncode}; {len(left)} of {len(kids)} children alive 5 s later"


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            found.add(c)
            todo.append(c)
    return found


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                out.add(pid)
        except OSError:
            pass
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=HERE, help="the checkout whose gazettekg is probed")
    a = ap.parse_args()
    probes = [("planted pickle in the cache", probe_pickle), ("publish killed midway", probe_crash_publish),
              ("concurrent builds", probe_concurrent), ("--store is a file", probe_store_file),
              ('--store ""', probe_empty_store), ("file size limit 256 KB (as a full disk)", probe_fsize),
              ("truncated manifest", probe_truncated_manifest), ("GBK file name", probe_name),
              ("UTF-16 with BOM", probe_utf16),
              ("SIGTERM", lambda p: probe_orphans(p, signal.SIGTERM)),
              ("SIGKILL", lambda p: probe_orphans(p, signal.SIGKILL))]
    for name, probe in probes:
        work = Path(tempfile.mkdtemp(prefix="gkg-faults-"))
        try:
            result = probe(Probe(a.root.resolve(), work))
        except Exception as error:  # a probe that cannot run says so and the others go on
            result = f"probe failed: {type(error).__name__}: {error}"
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"{name:42} {result}", flush=True)


if __name__ == "__main__":
    main()
