"""The server's resident memory while a large file is uploaded: `./kindred bench upload`.

    python -m bench.upload_memory [--megabytes 200]

Starts a local Neo4j and Kindred (uvicorn, its own process, the filesystem blob store, the dispatcher
on) in a temporary folder, uploads a WAV of the given size as a conflict's recording through a
multipart request, waits for its extraction (untranscribed: KINDRED_TRANSCRIBER=none), and prints the server's
resident memory (VmRSS, sampled every 20 ms, and the kernel's peak, VmHWM) before and during.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

import httpx

from localneo4j import LocalNeo4j, free_port

SECRET = "a-bench-secret-that-is-long-enough-for-hs256"  # noqa: S105 -- a throwaway server's


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def make_wav(path: Path, megabytes: int) -> None:
    frames = b"\x00\x01" * (512 * 1024)  # 1 MiB of 16-bit mono samples
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(16000)
        for _ in range(megabytes * 1_000_000 // len(frames) + 1):
            audio.writeframes(frames)


def graphql(http: httpx.Client, query: str, variables: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = http.post("/graphql", json={"query": query, "variables": variables}, headers=headers).json()
    assert "errors" not in answer, answer
    return answer["data"]


def main(megabytes: int) -> None:
    with tempfile.TemporaryDirectory(prefix="kindred-upload-bench-") as folder:
        root = Path(folder)
        neo4j = LocalNeo4j(root / "neo4j", free_port(), heap="512m")
        neo4j.start()
        port = free_port()
        env = {
            **os.environ,
            "NEO4J_URI": neo4j.uri,
            "KINDRED_PORT": str(port),
            "KINDRED_DATA_DIR": str(root / "data"),
            "KINDRED_JWT_SECRET": SECRET,
            "KINDRED_MAX_UPLOAD_BYTES": str((megabytes + 10) * 1_000_000),
            "KINDRED_DISPATCH_POLL_SECONDS": "0.5",
            "KINDRED_TRANSCRIBER": "none",  # the upload's memory, not a transcription's
        }
        env.pop("OPENAI_API_KEY", None)
        server = subprocess.Popen([sys.executable, "-c", "import app; app.main()"], env=env)
        try:
            run(server.pid, port, root, megabytes)
        finally:
            server.terminate()
            server.wait(timeout=60)
            neo4j.stop()


def run(pid: int, port: int, root: Path, megabytes: int) -> None:
    base = f"http://127.0.0.1:{port}"
    http = httpx.Client(base_url=base, timeout=600)
    deadline = time.monotonic() + 180
    while True:
        try:
            if http.get("/health").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "Kindred did not start"
        time.sleep(0.2)
    sign_up = 'mutation ($e: String!) { signUp(email: $e, password: "a long password", name: "B") { token } }'
    token = graphql(http, sign_up, {"e": "bench@example.com"})["signUp"]["token"]
    recipient = 'mutation { createRecipient(input: {name: "Ann", relationship: {kind: FRIEND}}) { id } }'
    ann = graphql(http, recipient, {}, token)["createRecipient"]["id"]
    conflict = "mutation ($r: ID!) { createConflict(input: {recipientId: $r}) { id } }"
    conflict_id = graphql(http, conflict, {"r": ann}, token)["createConflict"]["id"]
    # The embedder loads its model on first use (about 100 MiB): let the dispatcher embed what was just
    # written, and a search run, before the baseline is taken, so the numbers are the upload's alone.
    search = 'query { search(query: "Ann", kinds: [RECIPIENT]) { score } }'
    while not graphql(http, search, {}, token)["search"]:
        time.sleep(0.2)
    wav = root / "large.wav"
    make_wav(wav, megabytes)
    size = wav.stat().st_size
    before = status_kb(pid, "VmRSS")
    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(status_kb(pid, "VmRSS"))
            if os.environ.get("BENCH_TRACE"):  # every sample, with anonymous and file-backed parts
                anon, mapped = status_kb(pid, "RssAnon") // 1024, status_kb(pid, "RssFile") // 1024
                print(
                    f"{time.monotonic():.2f} rss={samples[-1] // 1024} anon={anon} file={mapped}",
                    file=sys.stderr,
                )
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    upload = (
        "mutation ($file: Upload!, $to: ID!) { uploadDocument(file: $file, attachTo: $to, role: RECORDING) "
        "{ id size status } }"
    )
    operations = json.dumps({"query": upload, "variables": {"file": None, "to": conflict_id}})
    started = time.monotonic()
    with wav.open("rb") as handle:
        answer = http.post(
            "/graphql",
            data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
            files={"0": ("large.wav", handle, "audio/wav")},
            headers={"Authorization": f"Bearer {token}", "Apollo-Require-Preflight": "true"},
        ).json()
    uploaded = time.monotonic() - started
    during_upload = max(samples)
    document = answer["data"]["uploadDocument"]
    query = "query ($id: ID!) { node(id: $id) { ... on Document { status durationSeconds } } }"
    while (state := graphql(http, query, {"id": document["id"]}, token)["node"])["status"] in (
        "PENDING",
        "EXTRACTING",
    ):
        time.sleep(0.2)
    done.set()
    sampler.join()
    peak = status_kb(pid, "VmHWM")
    print(f"uploaded {size / 1e6:.0f} MB in {uploaded:.1f} s; stored {document['size']} bytes; "
          f"extraction: {state['status']} ({state['durationSeconds']} s of audio)")  # fmt: skip
    print(f"server VmRSS before the upload: {before / 1024:.0f} MiB; highest sampled during the upload: "
          f"{during_upload / 1024:.0f} MiB (+{(during_upload - before) / 1024:.0f} MiB), during the upload "
          f"and the extraction: {max(samples) / 1024:.0f} MiB (+{(max(samples) - before) / 1024:.0f} MiB); "
          f"VmHWM (peak since start): {peak / 1024:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=int, default=200)
    main(parser.parse_args().megabytes)
