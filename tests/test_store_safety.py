"""The store under faults and misuse: no code from the cache, atomic publish, one build at a
time, clear errors for a full disk, a read-only or wrong --store, and no orphaned workers.

Test data: the bundled sample (许昌市人民政府公报 2020年第2期) and copies of it with every
"2020" replaced by another year, as in tests/test_collection.py.
"""
from __future__ import annotations

import errno
import os
import pickle
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gazettekg.cli import main
from queries import layout
from queries.engines import StagedStore, data_dir, open_store, read_manifest, store_version
from tests.conftest import tree_digest

ROOT = Path(__file__).resolve().parents[1]
COUNT_PLANS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Plan }"


pytestmark = pytest.mark.usefixtures("same_code")


def issue(folder: Path, year: str, sample_file: Path, *, edit: bool = False) -> Path:
    text = sample_file.read_text(encoding="utf-8").replace("2020", year)
    if edit:
        text = text.replace("加快轨道交通建设", "加快城际轨道交通建设", 1)
    path = folder / f"xuchang-{year}-02.txt"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def one_store(tmp_path_factory, sample_file):
    """The sample built into a store (kept read-only by the tests: they copy it)."""
    d = tmp_path_factory.mktemp("one")
    assert main(["build", str(sample_file), "--store", str(d / "store"), "--jobs", "1"]) == 0
    return d / "store"


def copy_store(one_store: Path, tmp_path: Path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(one_store, store)
    return store


def plans(store: Path) -> int:
    return int(open_store(store).query(COUNT_PLANS).rows[0][0].value)


# --- 14.1: no code execution from the cache ---------------------------------------------------

class Payload:
    """A pickle that, once loaded, creates the file `marker`."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_planted_pickle_in_the_cache_never_runs_and_the_build_succeeds(one_store, sample_file, tmp_path, capsys):
    store = copy_store(one_store, tmp_path)
    marker = tmp_path / "pwned"
    cache = next(store.rglob("gazettekg-cache"))
    entries = list(cache.iterdir())
    assert entries
    for entry in entries:           # the entry under its own name, and under the old pickle name
        entry.write_bytes(pickle.dumps(Payload(marker)))
        entry.with_suffix(".pickle").write_bytes(pickle.dumps(Payload(marker)))
    capsys.readouterr()
    assert main(["build", str(sample_file), "--store", str(store), "--jobs", "1"]) == 0
    assert not marker.exists()
    out = capsys.readouterr()
    assert "cache entry ignored" in out.err and "extracted again" in out.err
    assert "1 extracted" in out.out or "unchanged" not in out.out
    assert plans(store) == 12
    # the foreign files are gone with the version they were planted in; the new entry is JSON
    assert all(p.suffix == ".json" for p in (data_dir(store) / "gazettekg-cache").iterdir())


def test_a_truncated_cache_entry_is_ignored_and_the_issue_extracted_again(one_store, sample_file, tmp_path, capsys):
    store = copy_store(one_store, tmp_path)
    for entry in (data_dir(store) / "gazettekg-cache").iterdir():
        entry.write_bytes(entry.read_bytes()[:-100])
    extra = issue(tmp_path / "in", "2021", sample_file)
    capsys.readouterr()
    assert main(["build", str(sample_file), str(extra), "--store", str(store), "--jobs", "1"]) == 0
    assert "checksum does not match" in capsys.readouterr().err
    assert plans(store) == 24


def test_a_cache_entry_decodes_to_exactly_what_was_built(sample_file):
    from kg_build.cache import CacheError, decode_entry, encode_entry
    from kg_build.pipeline import InputFile, build_issue
    built = build_issue(InputFile(sample_file, sample_file.name))
    data = encode_entry(file_name=sample_file.name, sha256=built.sha256, graph=built.graph, record=built.record,
                        shared=built.shared, findings=built.findings, counts=built.counts)
    back = decode_entry(data, file_name=sample_file.name, sha256=built.sha256)
    assert back == {"graph": built.graph, "record": built.record, "shared": built.shared,
                    "findings": built.findings, "counts": built.counts}
    with pytest.raises(CacheError, match="another file"):
        decode_entry(data, file_name="other.txt", sha256=built.sha256)
    import hashlib
    import json
    evil = json.dumps({"format": 1, "file_name": "a", "sha256": "b", "graph": "g", "shared": [], "findings": [],
                       "counts": {}, "record": {"file_name": "a", "sha256": "b", "title": None,
                                                "plans": [{"__class__": "os.system"}]}}).encode()
    with pytest.raises(CacheError, match="unknown fields"):
        decode_entry(hashlib.sha256(evil).hexdigest().encode() + b"\n" + evil, file_name="a", sha256="b")


# --- 15.5: publish is one atomic step ---------------------------------------------------------

@pytest.mark.parametrize("crash_at", ["rename", "pointer", "swap", "clean"])
def test_a_publish_killed_at_any_step_leaves_a_store_that_opens(one_store, tmp_path, crash_at, sample_file):
    store = copy_store(one_store, tmp_path)
    before = store_version(store)

    def step(name):
        if name == crash_at:
            raise KeyboardInterrupt(f"killed before {name}")

    staged = StagedStore(store)
    staged.store.clear()                 # the new version: the sample without its data
    with pytest.raises(KeyboardInterrupt):
        with staged:
            staged.commit({"version": 2, "inputs": [], "counts": {}}, step=step)
    # the store is there: the old version before the swap, the new one after it
    assert plans(store) == (12 if crash_at in ("rename", "pointer", "swap") else 0)
    assert (store_version(store) == before) == (crash_at != "clean")
    # the next build cleans up what the dead one left and publishes normally
    assert main(["build", str(sample_file), "--store", str(store), "--jobs", "1"]) == 0
    assert plans(store) == 12
    versions = [p.name for p in (store / "versions").iterdir()]
    assert len(versions) <= 2 and not any(v.startswith(".new-") for v in versions)
    assert not [p for p in store.iterdir() if p.name.startswith(".current.")]


def test_the_previous_version_stays_until_the_next_build(one_store, sample_file, tmp_path):
    store = copy_store(one_store, tmp_path)
    first = store_version(store)
    reader = open_store(store)           # a server holding the first version open
    extra = issue(tmp_path / "in", "2021", sample_file)
    assert main(["build", str(sample_file), str(extra), "--store", str(store), "--jobs", "1"]) == 0
    second = store_version(store)
    assert second != first and (store / "versions" / first).is_dir()
    assert int(reader.query(COUNT_PLANS).rows[0][0].value) == 12      # still reads its own version
    assert plans(store) == 24
    assert main(["build", str(sample_file), "--store", str(store), "--jobs", "1"]) == 0
    assert sorted(p.name for p in (store / "versions").iterdir()) == sorted([second, store_version(store)])


def test_a_store_of_the_old_flat_layout_opens_and_is_upgraded(one_store, sample_file, tmp_path):
    flat = tmp_path / "flat"
    shutil.copytree(data_dir(one_store), flat)          # data directly in the folder, as before versions
    assert not (flat / "current").exists()
    assert plans(flat) == 12 and store_version(flat).startswith("flat-")
    extra = issue(tmp_path / "in", "2021", sample_file)
    assert main(["build", str(sample_file), str(extra), "--store", str(flat), "--jobs", "1"]) == 0
    assert plans(flat) == 24 and (flat / "current").is_file()
    assert (flat / "gazettekg-store.json").exists()     # the flat version is the previous one: kept
    assert main(["build", str(sample_file), "--store", str(flat), "--jobs", "1"]) == 0
    assert plans(flat) == 12
    assert sorted(p.name for p in flat.iterdir()) == ["current", "gazettekg.lock", "versions"]


def test_store_version_is_cheap_and_changes_only_when_a_build_publishes(one_store, sample_file, tmp_path):
    store = copy_store(one_store, tmp_path)
    v = store_version(store)
    assert main(["build", str(sample_file), "--store", str(store), "--jobs", "1"]) == 0   # nothing changed
    assert store_version(store) == v
    (store / "current").write_text("../../etc\n")
    with pytest.raises(layout.StoreError, match="not a version id"):
        store_version(store)


# --- 14.7 / 15.4: one build at a time; clear errors; the old store untouched --------------------

def test_a_second_build_into_a_locked_store_exits_2_naming_the_holder(one_store, sample_file, tmp_path, capsys):
    store = copy_store(one_store, tmp_path)
    before = tree_digest(store)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom queries.layout import store_lock\n"
         f"with store_lock({str(store)!r}):\n    print('held', flush=True)\n    sys.stdin.readline()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        capsys.readouterr()
        extra = issue(tmp_path / "in", "2021", sample_file)
        assert main(["build", str(sample_file), str(extra), "--store", str(store), "--jobs", "1"]) == 2
        message = capsys.readouterr().err
        assert f"{store}: another build is writing this store (pid {holder.pid}" in message
    finally:
        holder.stdin.close()            # the holder ends its "build" and lets go
        holder.wait(30)
    assert tree_digest(store) == before
    assert main(["build", str(sample_file), str(extra), "--store", str(store), "--jobs", "1"]) == 0
    assert plans(store) == 24


def test_two_real_builds_at_once_one_publishes_and_the_other_exits_2(sample_file, tmp_path):
    inputs = [issue(tmp_path / "in", y, sample_file) for y in ("2020", "2021")]
    store = tmp_path / "store"
    assert main(["build", str(inputs[0]), "--store", str(store), "--jobs", "1"]) == 0
    cmd = [sys.executable, "-m", "gazettekg", "build", *map(str, inputs), "--store", str(store), "--jobs", "1"]
    runs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    results = [(r.wait(120), r.stderr.read()) for r in runs]
    assert sorted(code for code, _ in results) == [0, 2, 2]
    assert all("another build is writing this store" in e for code, e in results if code == 2)
    assert plans(store) == 24 and len(read_manifest(store)["inputs"]) == 2


def test_store_pointing_at_a_file_is_exit_2_and_the_file_untouched(sample_file, tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    assert main(["build", str(sample_file), "--store", str(target), "--jobs", "1"]) == 2
    assert f"{target}: is a file, not a store directory" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "mine"


def test_an_empty_store_option_is_a_usage_error(sample_file, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build", str(sample_file), "--store", ""])
    assert exit_.value.code == 2
    assert "--store: expected a store directory" in capsys.readouterr().err


def test_a_full_disk_while_publishing_is_exit_2_and_the_old_store_byte_identical(one_store, sample_file, tmp_path,
                                                                                 capsys, monkeypatch):
    """ENOSPC simulated where gazettekg writes (the manifest of the new version): a small tmpfs
    needs root; the next test fills a real file size limit instead."""
    from queries import engines
    store = copy_store(one_store, tmp_path)
    before = tree_digest(store)

    def full(directory, manifest):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(directory / "gazettekg-store.json"))

    monkeypatch.setattr(engines, "_write_manifest", full)
    extra = issue(tmp_path / "in", "2021", sample_file)
    assert main(["build", str(sample_file), str(extra), "--store", str(store), "--jobs", "1"]) == 2
    message = capsys.readouterr().err
    assert "No space left on device" in message and "gazettekg-store.json" in message
    assert "the store left as it was" in message
    assert tree_digest(store) == before and plans(store) == 12


def test_a_file_size_limit_hit_by_the_engine_is_exit_2_and_the_old_store_byte_identical(one_store, sample_file,
                                                                                        tmp_path):
    """A real write failure inside Oxigraph: RLIMIT_FSIZE makes every write past 256 KB fail
    (EFBIG), as a full disk fails a write with ENOSPC."""
    store = copy_store(one_store, tmp_path)
    before = tree_digest(store)
    extra = issue(tmp_path / "in", "2021", sample_file)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    run = subprocess.run([sys.executable, "-m", "gazettekg", "build", str(sample_file), str(extra),
                          "--store", str(store), "--jobs", "1"], cwd=ROOT, capture_output=True, text=True,
                         preexec_fn=limit, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "the store left as it was" in run.stderr
    assert tree_digest(store) == before and plans(store) == 12


def test_a_read_only_store_directory_is_exit_2_and_unchanged(one_store, sample_file, tmp_path, capsys,
                                                           monkeypatch):
    """Not root: the store folder and its versions folder are made read-only for real. Root
    writes through permissions (and a read-only mount needs root tricks), so as root the lock
    file's creation fails with EACCES as it would in a read-only folder."""
    store = copy_store(one_store, tmp_path)
    (store / "gazettekg.lock").unlink()
    extra = issue(tmp_path / "in", "2021", sample_file)
    if os.geteuid() == 0:
        def denied(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        monkeypatch.setattr(layout, "_open_lock", denied)
    before = tree_digest(store)
    for d in (store / "versions", store):
        d.chmod(0o555)
    try:
        assert main(["build", str(sample_file), str(extra), "--store", str(store), "--jobs", "1"]) == 2
    finally:
        for d in (store, store / "versions"):
            d.chmod(0o755)
    assert f"{store}: cannot write to the store directory (Permission denied)" in capsys.readouterr().err
    assert tree_digest(store) == before and plans(store) == 12


# --- 15.7: no orphaned workers ------------------------------------------------------------------

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
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    left = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            left.add(pid)
    return left


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killing_a_build_leaves_no_worker_running(sig, sample_file, tmp_path):
    inputs = [issue(tmp_path / "in", str(y), sample_file) for y in range(2020, 2026)]
    store = tmp_path / "store"
    workers: set[int] = set()
    build = subprocess.Popen([sys.executable, "-m", "gazettekg", "build", *map(str, inputs), "--store", str(store),
                              "--jobs", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(workers := descendants(build.pid)) < 3 and time.monotonic() < deadline:   # forkserver + 2
            time.sleep(0.2)
        assert len(workers) >= 3, "the workers did not start"
        time.sleep(1)
        workers = descendants(build.pid)
        build.send_signal(sig)
        code = build.wait(30)
        deadline = time.monotonic() + 10
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(workers), f"workers still running after {sig.name}"
    finally:
        for pid in alive(descendants(build.pid) | workers) | {build.pid}:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if sig == signal.SIGTERM:
        assert code == 2 and "terminated by SIGTERM" in build.stderr.read()
        assert not store.exists() or not list((store / "versions").glob(".new-*"))


# --- 15.9: the builder's smaller faults ---------------------------------------------------------

def test_a_file_name_that_is_not_utf8_is_exit_2_naming_the_file(sample_file, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(os.fsencode(str(folder)) + b"/\xb9\xab\xb1\xa8.txt")      # 公报.txt in GBK
    shutil.copy(sample_file, name)
    for given in (folder, Path(name)):
        assert main(["build", str(given), "--store", str(tmp_path / "store"), "--jobs", "1"]) == 2
        message = capsys.readouterr().err
        assert f"{folder}/\\xb9\\xab\\xb1\\xa8.txt:0: the file name is not valid UTF-8" in message
        assert "公报.txt" in message and "Traceback" not in message
    assert not (tmp_path / "store").exists()


def test_an_unreadable_subfolder_is_exit_2_naming_it(sample_file, tmp_path, capsys, monkeypatch):
    """Not root: the folder is made unreadable for real; root reads through permissions, so
    listing it fails with EACCES as it would for anyone else."""
    issue(tmp_path / "in" / "2020", "2020", sample_file)
    secret = tmp_path / "in" / "2021"
    issue(secret, "2021", sample_file)
    if os.geteuid() == 0:
        scandir = os.scandir

        def denied(path="."):
            if Path(path) == secret:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return scandir(path)
        monkeypatch.setattr(os, "scandir", denied)
    secret.chmod(0)
    try:
        assert main(["build", str(tmp_path / "in"), "--store", str(tmp_path / "store"), "--jobs", "1"]) == 2
    finally:
        secret.chmod(0o755)
    assert f"{secret}:0: cannot read this folder (Permission denied)" in capsys.readouterr().err
    assert not (tmp_path / "store").exists()


def test_a_truncated_manifest_is_a_clear_error_naming_it(one_store, sample_file, tmp_path, capsys):
    store = copy_store(one_store, tmp_path)
    manifest = data_dir(store) / "gazettekg-store.json"
    manifest.write_bytes(manifest.read_bytes()[:200])
    assert main(["build", str(sample_file), "--jobs", "1", "--store", str(store)]) == 2
    message = capsys.readouterr().err
    assert f"{manifest}:" in message and "the store's manifest is not valid JSON" in message
    assert "JSONDecodeError" not in message
    with pytest.raises(layout.StoreError, match="not valid JSON"):
        open_store(store).manifest          # what serve reads first


def test_utf16_with_a_bom_builds_like_utf8_and_without_one_is_named(sample_file, tmp_path, capsys):
    from kg_build.reading import InputError, decode_gazette
    text = sample_file.read_text(encoding="utf-8")
    utf16 = tmp_path / "xuchang-gazette-2020-02.txt"
    utf16.write_bytes(text.encode("utf-16"))
    assert decode_gazette(utf16.read_bytes(), source="x") == (text, "utf-16")
    assert main(["build", str(utf16), "--store", str(tmp_path / "store"), "--jobs", "1"]) == 0
    assert plans(tmp_path / "store") == 12
    with pytest.raises(InputError, match=r"looks like UTF-16 \(little-endian\) without a byte-order mark"):
        decode_gazette(text.encode("utf-16-le"), source="x")
    with pytest.raises(InputError, match="looks like a binary file"):
        decode_gazette(bytes(range(256)) * 4, source="x")


def test_inside_by_bisection_agrees_with_a_scan():
    import random
    from kg_build.targets import _inside, _spans
    rng = random.Random(7)
    for _ in range(300):
        spans = [(a, a + rng.randrange(0, 8)) for a in (rng.randrange(0, 60) for _ in range(rng.randrange(0, 9)))]
        index = _spans(spans)
        for pos in range(-2, 72):
            assert _inside(pos, index) == any(a <= pos < b for a, b in spans)


def test_a_manifest_edited_by_hand_is_checked_as_data_and_the_build_goes_on(one_store, sample_file, tmp_path, capsys):
    import json
    for change, warning in ((lambda m: m.update(collection_findings=[{"__class__": "os.system"}]),
                             "does not hold a previous result"),
                            (lambda m: m.update(inputs="everything"), "lists no usable inputs")):
        store = tmp_path / f"store-{warning[:4]}"
        shutil.copytree(one_store, store)
        path = data_dir(store) / "gazettekg-store.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        change(manifest)
        path.write_text(json.dumps(manifest), encoding="utf-8")
        capsys.readouterr()
        assert main(["build", str(sample_file), "--store", str(store), "--jobs", "1"]) == 0
        assert warning in capsys.readouterr().err
        assert plans(store) == 12 and read_manifest(store)["counts"]["plans"] == 12
