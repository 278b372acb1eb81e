"""The persistent store: one graph per file with provenance, reload replaces, loads are all-or-nothing.

The store and `kb load` are real: an Oxigraph database on disk and the command run as a process, killed with
SIGKILL in the middle of a large load.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from kb.checking.pipeline import validate_batch, validate_paths
from kb.records.load import read
from kb.records.store import Store, source_graph

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"


def kb(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, encoding="utf-8",
                          cwd=cwd)


def _meetings(folder: Path, files: int, per_file: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        records = [{"id": f"meeting/bulk-{f}-{m}", "type": "Meeting", "kind": "SpecialTopicMeeting",
                    "title": f"专题会 {f}-{m}", "start": "2024-03-12T09:00:00+08:00",
                    "end": "2024-03-12T09:45:00+08:00"} for m in range(per_file)]
        (folder / f"part-{f:04d}.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")


def _quads(store: Store) -> int:
    with store.reading() as db:
        return len(db)


def test_each_file_is_a_graph_with_its_provenance(tmp_path):
    store = Store(tmp_path / "store")
    batch = read([str(EXAMPLES)])
    loaded = store.load(batch)
    assert len(batch.graphs) >= 13
    assert {i.graph for i in loaded} == {str(source_graph(source)) for source in batch.graphs}
    assert {i.graph for i in store.info()} == {i.graph for i in loaded}
    info = {i.graph: i for i in store.info()}
    meetings = info[str(source_graph(str(EXAMPLES / "meetings.json")))]
    import hashlib

    assert meetings.sha256 == hashlib.sha256((EXAMPLES / "meetings.json").read_bytes()).hexdigest()
    assert meetings.triples > 100 and meetings.loader.startswith("kb ") and meetings.loaded


def test_loading_a_file_again_replaces_its_graph(tmp_path):
    folder = tmp_path / "in"
    _meetings(folder, 1, 3)
    store = Store(tmp_path / "store")
    store.load(read([str(folder)]))
    before = _quads(store)
    store.load(read([str(folder)]))
    assert _quads(store) == before  # not duplicated
    _meetings(folder, 1, 2)  # the office corrected its file: one meeting fewer
    store.load(read([str(folder)]))
    graphs = store.info()
    assert len(graphs) == 1 and _quads(store) < before
    from rdflib import URIRef

    from kb.namespaces import DXD

    described = {s for s in store.batch().union().subjects() if isinstance(s, URIRef)}
    assert described == {DXD["meeting/bulk-0-0"], DXD["meeting/bulk-0-1"]}


def test_validating_the_store_gives_the_same_findings_as_the_files(tmp_path):
    store = Store(tmp_path / "store")
    store.load(read([str(EXAMPLES)]))
    from_files = validate_paths([str(EXAMPLES)])
    from_store = validate_batch(store.batch())
    assert {(f.record, f.shape, f.severity) for f in from_store.findings} == {
        (f.record, f.shape, f.severity) for f in from_files.findings}
    assert len(from_files.findings) > 0


def test_the_commands_load_list_drop_and_validate_the_store(tmp_path):
    target = str(tmp_path / "store")
    files = len(read([str(EXAMPLES)]).graphs)
    loaded = kb("load", str(EXAMPLES), "--store", target)
    assert loaded.returncode == 0, loaded.stderr
    assert f"{files} file(s) loaded" in loaded.stdout
    info = json.loads(kb("store", "info", "--store", target, "--format", "json").stdout)
    assert len(info) == files and all(g["sha256"] for g in info)
    validated = kb("validate", "--store", target, "--format", "json", "--save-results")
    assert validated.returncode == 1
    assert len(json.loads(validated.stdout)["findings"]) == len(validate_paths([str(EXAMPLES)]).findings)
    runs = [g for g in json.loads(kb("store", "info", "--store", target, "--format", "json").stdout)
            if "/run/" in g["graph"]]
    assert len(runs) == 1 and runs[0]["triples"] > 0
    dropped = kb("store", "drop", str(EXAMPLES / "activities.json"), "--store", target)
    assert dropped.returncode == 0, dropped.stderr
    assert len(json.loads(kb("store", "info", "--store", target, "--format", "json").stdout)) == files
    missing = kb("store", "drop", "file:///no/such/file.json", "--store", target)
    assert missing.returncode == 2 and "no graph" in missing.stderr


def _ntriples(folder: Path, files: int, per_file: int) -> None:
    """Many files of plain triples: quick to parse, so the kill lands while the store is being written."""
    folder.mkdir(parents=True, exist_ok=True)
    base = "https://w3id.org/daxing-zuofeng/"
    for f in range(files):
        lines = []
        for m in range(per_file):
            subject = f"<{base}id/meeting/nt-{f}-{m}>"
            lines.append(f"{subject} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{base}ontology/Meeting> .")
            lines.append(f'{subject} <{base}ontology/title> "专题会 {f}-{m}"@zh .')
        (folder / f"part-{f:04d}.nt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_load_killed_midway_leaves_the_previous_content_and_readers_never_see_a_part(tmp_path):
    store_dir = tmp_path / "store"
    store = Store(store_dir)
    first = tmp_path / "first"
    _meetings(first, 2, 5)
    store.load(read([str(first)]))
    before = _quads(store)
    big = tmp_path / "big"
    _ntriples(big, 1500, 20)

    seen: set[int] = set()
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            seen.add(_quads(Store(store_dir)))

    kills = 0
    for extra in (0.0, 0.3, 1.0):
        current = Store(store_dir).current().name
        watcher = threading.Thread(target=reader)
        watcher.start()
        process = subprocess.Popen([sys.executable, "-m", "kb.cli", "load", str(big), "--store", str(store_dir)],
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # wait until the new version folder exists: the load is writing
        while process.poll() is None and not any(p.name > current for p in store_dir.glob("v*")):
            time.sleep(0.01)
        time.sleep(extra)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
        stop.set()
        watcher.join()
        stop.clear()
        if process.returncode == 0:
            break  # finished before the kill: nothing more to learn from longer delays
        assert Store(store_dir).current().name == current
        assert _quads(Store(store_dir)) == before, f"killed {extra}s into writing: the store changed"
        assert seen == {before}, seen
    assert kills >= 1, "the load always finished before it could be killed"
    # and a complete load afterwards brings the new content in, all of it
    done = kb("load", str(big), "--store", str(store_dir))
    assert done.returncode == 0, done.stderr
    assert _quads(Store(store_dir)) > before + 1500 * 20 * 2
