"""Fetches the jars named in pom.xml once, into a cache folder keyed by the pom's content."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

POM = Path(__file__).with_name("pom.xml")
DEFAULT_CACHE = Path(__file__).resolve().parent.parent / ".cache" / "neo4j"


def jars_dir(cache: Path | None = None) -> Path:
    """Where the jars of the current pom.xml live: a new pom gets a new folder."""
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:12]
    root = cache or Path(os.environ.get("KINDRED_NEO4J_JARS", DEFAULT_CACHE))
    return root / digest


def fetch(cache: Path | None = None) -> Path:
    """Copies Neo4j and APOC into jars_dir() with Maven, unless an earlier fetch completed there."""
    target = jars_dir(cache)
    done = target / ".complete"
    if done.exists():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise FileNotFoundError("Maven (mvn) is needed to fetch the Neo4j jars: apt-get install maven")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    command = [mvn, "-q", "-B", "-f", str(POM), f"-Djars.dir={partial}"]
    goals = ["dependency:copy-dependencies@lib", "dependency:copy-dependencies@plugins"]
    subprocess.run(command + goals, check=True)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    done.touch()
    return target
