"""Backup and restore of the embedded deployment's data folder: the local Neo4j's store, the vectors
(qdrant-edge's folder) and the blobs (the filesystem store), with a manifest (backup/copy.py); and the
lock by which a running Kindred keeps them from being replaced under it (backup/lock.py)."""
