"""The CLI on a closed pipe and with a mistyped library name (issue 13, point 8)."""
from __future__ import annotations

import os
import subprocess
import sys

from gazettekg.cli import main


def test_a_mistyped_library_name_gets_the_nearest_name(sample_store, capsys):
    code = main(["query", "unit_task", "--store", str(sample_store.path)])
    assert code == 2
    assert capsys.readouterr().err.strip() == "gazettekg: no library query unit_task; did you mean unit_tasks?"


def test_an_unknown_bare_name_is_not_parsed_as_sparql(sample_store, capsys):
    assert main(["query", "zzqqx", "--store", str(sample_store.path)]) == 2
    message = capsys.readouterr().err
    assert "no library query zzqqx" in message and "gazettekg queries" in message
    assert "CONSTRUCT" not in message  # not the SPARQL parser's complaint


def test_a_closed_stdout_pipe_ends_quietly(sample_store):
    """The reader is gone before the CLI writes a byte (as with `| head -n 1`, deterministically):
    no traceback, no "Exception ignored", and the shell's SIGPIPE status."""
    proc = subprocess.Popen([sys.executable, "-m", "gazettekg", "query", "unit_workload", "--store",
                             str(sample_store.path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "GAZETTEKG_DEBUG": ""})
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(60) == 141
    assert err == b""


def test_a_pipe_closed_after_the_first_line_is_quiet_under_pipefail(sample_store):
    script = (f'set -euo pipefail; "{sys.executable}" -m gazettekg query unit_workload --store '
              f'"{sample_store.path}" --format table | head -n 1 >/dev/null; echo reached')
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    # head may read everything before closing (then 0), or close early (then 141 stops the script
    # under pipefail): either way nothing is printed to stderr
    assert done.stderr == ""
    assert done.returncode in (0, 141)
