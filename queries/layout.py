"""A store directory on disk: versions, the pointer to the current one, the build lock.

    STORE/
      current            a pointer file: the id of the published version
      versions/<id>/     one complete Oxigraph store + gazettekg-store.json + gazettekg-cache/
      versions/.new-…    a version being built (deleted by the next build if a build died)
      gazettekg.lock     held (fcntl.flock) by the one build that may write the store

Publishing is one atomic step: a new pointer file replaces `current` by os.replace
(rename(2)), so at every instant `current` names a complete version — a build killed at any point leaves
the old version published, never no store. The version published before the current one is
kept until the next publish, because a running server may still read it; anything older, and
the staging of a build that died, is deleted by the next build.

A store written before versions existed (its data directly in STORE) is still read as it is;
its first versioned publish keeps those files as the previous version and the publish after
deletes them.

A pointer file rather than a symlink: a store copied with shutil.copytree, zipped or synced
keeps a file as it is, where a symlink may be followed and copied as a second directory.
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

MANIFEST = "gazettekg-store.json"
CACHE = "gazettekg-cache"   # per-issue build results, beside the data (kg_build.pipeline)
CURRENT = "current"
VERSIONS = "versions"
LOCK = "gazettekg.lock"
STAGING = ".new-"
OWN = {CURRENT, VERSIONS, LOCK}     # what a versioned store directory holds besides nothing else


class StoreError(RuntimeError):
    """The store is missing, locked or not a gazettekg store."""


VERSION_ID = re.compile(r"\d{8}T\d{6}-[0-9a-f]{8}")


def is_versioned(root: Path) -> bool:
    return (Path(root) / CURRENT).is_file()


def data_dir(root: Path, version: str | None = None) -> Path | None:
    """The directory holding the published data of the store at `root` (its current version,
    or `root` itself for a store of the old, flat layout); None if nothing is published.
    `version` (from store_version) names the version to use, read once: a publish between two
    reads of the pointer must not pair one version's id with another's data."""
    root = Path(root)
    if version is None and is_versioned(root):
        version = store_version(root)
    if version is not None and not version.startswith("flat-"):
        return root / VERSIONS / version
    return root if (root / MANIFEST).is_file() else None


def store_version(root: Path) -> str:
    """An id that changes whenever a build publishes into `root` (reads one small file: cheap
    enough to call per request). A flat, pre-versions store is named by its manifest's mtime."""
    root = Path(root)
    try:
        version = (root / CURRENT).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        version = None
    except (OSError, UnicodeDecodeError) as error:
        raise StoreError(f"{root / CURRENT}: cannot read the store's version: {error}") from None
    if version is not None:
        if not VERSION_ID.fullmatch(version):       # never a path: the pointer names a folder in versions/
            raise StoreError(f"{root / CURRENT}: not a version id ({version[:40]!r}); the store is damaged")
        return version
    try:
        st = (root / MANIFEST).stat()
    except OSError:
        raise StoreError(f"{root}: no gazettekg store here; run `gazettekg build FILE --store {root}` first") from None
    return f"flat-{st.st_mtime_ns}-{st.st_ino}"


def check_target(target: Path) -> None:
    """Refuse to write a store where something else is: a file, or a folder of other things."""
    target = Path(target)
    if not target.exists() and not target.is_symlink():
        return
    if not target.is_dir():
        raise StoreError(f"{target}: is a file, not a store directory; expected a directory for the store "
                         f"(or a path that does not exist yet)")
    if data_dir(target) is not None:
        return
    if any(p.name not in OWN for p in target.iterdir()):
        raise StoreError(f"{target}: exists and is not a gazettekg store; refusing to replace it")


def new_staging(root: Path) -> Path:
    """An empty directory under STORE/versions for a version to be built in."""
    versions = Path(root) / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    path = versions / f"{STAGING}{_new_id()}"
    path.mkdir()
    return path


def _new_id() -> str:
    # time first: versions sort by age; the random part keeps two in one second apart
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(4)


def publish_version(staging: Path, root: Path, *, step=lambda name: None) -> str:
    """Make the complete store in `staging` the current version of `root`; return its id.

    `step(name)` is called before each step (tests raise there to simulate a crash)."""
    root = Path(root)
    before = data_dir(root)
    was_flat = before is not None and not is_versioned(root)
    version = _new_id()
    final = root / VERSIONS / version
    step("rename")
    staging.rename(final)
    _fsync_dir(final.parent)
    step("pointer")
    link = root / f".{CURRENT}.{version}"
    with open(link, "w", encoding="ascii") as fh:
        fh.write(version + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    step("swap")
    os.replace(link, root / CURRENT)     # the one atomic step
    _fsync_dir(root)
    step("clean")
    keep = {version} | ({before.name} if before is not None and not was_flat else set())
    _clean(root, keep, keep_flat=was_flat)
    return version


def _clean(root: Path, keep: set[str], *, keep_flat: bool) -> None:
    """Delete versions not in `keep` (older ones, dead builds' staging) and, unless they are
    the previous version, the files of a flat store this directory once was."""
    for p in (root / VERSIONS).iterdir():
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in root.iterdir():
        if p.name.startswith(f".{CURRENT}."):
            p.unlink(missing_ok=True)           # a pointer written by a build that died before its swap
        elif not keep_flat and p.name not in OWN:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() and not p.is_symlink() else p.unlink(missing_ok=True)


def clean_staging(root: Path) -> None:
    """Delete what builds that died left: staging under STORE/versions, pointers never swapped
    in (call with the lock held). A version they renamed but never published goes with the next
    publish, which keeps only the new and the previous version."""
    for p in Path(root).glob(f".{CURRENT}.*"):
        p.unlink(missing_ok=True)
    versions = Path(root) / VERSIONS
    if versions.is_dir():
        for p in versions.iterdir():
            if p.name.startswith(STAGING):
                shutil.rmtree(p, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the build lock ---------------------------------------------------------------------------

_held: dict[Path, list] = {}        # lock file → [open file, depth]: the lock is re-entrant in a process
_held_guard = threading.Lock()


@contextmanager
def store_lock(root: Path) -> Iterator[None]:
    """Hold STORE/gazettekg.lock for writing the store; a second writer fails at once with
    StoreError naming the process that holds it (exit 2), rather than waiting for a build that
    may take an hour. The lock is the kernel's (flock): it goes with the process that held it,
    however that process ends."""
    root = Path(root)
    check_target(root)
    created = not root.exists()
    try:
        root.mkdir(parents=True, exist_ok=True)
        path = (root / LOCK).resolve()
    except OSError as error:
        raise StoreError(f"{root}: cannot create the store directory: {error.strerror}") from None
    with _held_guard:
        entry = _held.get(path)
        if entry is not None:
            entry[1] += 1
    if entry is None:
        entry = [_acquire(root, path), 1]
        with _held_guard:
            _held[path] = entry
    try:
        yield
    finally:
        with _held_guard:
            entry[1] -= 1
            last = entry[1] == 0
            if last:
                del _held[path]
        if last:
            fh = entry[0]
            if created and data_dir(root) is None:
                _remove_unpublished(root, path)     # a first build that failed leaves no folder behind
            else:
                fh.seek(0)
                fh.truncate()           # an idle lock file is empty: a store at rest stays byte-identical
            fh.close()


def _remove_unpublished(root: Path, lock: Path) -> None:
    """Remove the folder a first build created and never published into (lock still held:
    the lock file goes first, so a build that opened it sees it gone and starts over)."""
    lock.unlink(missing_ok=True)
    shutil.rmtree(root / VERSIONS, ignore_errors=True)
    try:
        root.rmdir()
    except OSError:
        pass                            # someone put something there meanwhile: leave it


def _acquire(root: Path, path: Path):
    try:
        fh = _open_lock(path)
    except OSError as error:
        raise StoreError(f"{root}: cannot write to the store directory ({error.strerror}); "
                         f"a build needs a writable directory") from None
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise StoreError(f"{root}: another build is writing this store ({holder}); wait for it to "
                             f"finish, then build again") from None
        raise StoreError(f"{root}: cannot lock the store: {error.strerror}") from None
    if os.fstat(fh.fileno()).st_ino != _inode(path):
        fh.close()                      # removed by a failed first build after we opened it
        return _acquire(root, path)
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}\n")
    fh.flush()
    return fh


def _open_lock(path: Path):
    return open(path, "a+", encoding="utf-8")


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None
