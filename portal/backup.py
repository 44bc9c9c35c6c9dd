"""Consistent backups of the database and the local files (private uploads, receipts, letters; public media), and
their restore.

A backup is a folder: `database.dump` (PostgreSQL: pg_dump's custom format, one consistent snapshot) or
`database.sqlite3` (SQLite's online backup API, consistent while the site runs), then `files.tar.gz` (the private
and public media folders), then `manifest.json` (what is inside, row counts and SHA-256 of each part). The database is
copied first: a file is written before the row that names it commits, so every file the snapshot names is in the
archive (the archive may hold a few newer files no row names yet; they are harmless).

With S3-compatible storage the files live in the bucket: turn on bucket versioning there; only the database is copied.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.utils import timezone

COUNTED = ["donations.Donation", "donations.Receipt", "fund.LedgerTransaction", "fund.Entry", "grants.Application"]


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(db: dict) -> dict:
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _local_folders() -> dict[str, Path]:
    """The storages kept on this machine's disk, by archive name."""
    folders = {}
    for alias, name in (("private", "private"), ("default", "media")):
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage):
            folders[name] = Path(storage.location)
    return folders


def backup_create(*, destination: Path) -> Path:
    """Write a new backup folder under `destination` and return it."""
    if connection.in_atomic_block:
        # SQLite's backup would wait forever for our own open write transaction; pg_dump would miss its changes.
        raise BackupError("Run the backup outside a database transaction.")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    folder = Path(destination) / f"backup-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
            env=_pg_env(db),
            check=True,
            capture_output=True,
        )
    elif connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
    else:
        raise BackupError(f"No backup method for {connection.vendor}.")
    counts = {label: apps.get_model(label).objects.count() for label in COUNTED}
    archive = folder / "files.tar.gz"
    files = 0
    with tarfile.open(archive, "w:gz") as tar:
        for name, path in _local_folders().items():
            if path.exists():
                tar.add(path, arcname=name)
                files += sum(1 for p in path.rglob("*") if p.is_file())
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": connection.vendor, "file": target.name, "sha256": _sha256(target)},
        "files": {"file": archive.name, "sha256": _sha256(archive), "count": files},
        "rows": counts,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


def backup_verify(folder: Path) -> dict:
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    for part in (manifest["database"], manifest["files"]):
        if _sha256(folder / part["file"]) != part["sha256"]:
            raise BackupError(f"{part['file']} does not match its checksum: the backup is damaged.")
    return manifest


def backup_restore(*, folder: Path, database_url: str | None = None, files_to: Path | None = None) -> dict:
    """Restore a backup into the configured database (or `database_url`) and file folders (or `files_to`).
    Replaces what is there: the caller asks for confirmation."""
    folder = Path(folder)
    manifest = backup_verify(folder)
    db = dj_database_url.parse(database_url) if database_url else connection.settings_dict
    vendor = "sqlite" if "sqlite" in db["ENGINE"] else "postgresql" if "postgresql" in db["ENGINE"] else db["ENGINE"]
    if vendor != manifest["database"]["vendor"]:
        raise BackupError(f"This backup is of a {manifest['database']['vendor']} database, not {vendor}.")
    source = folder / manifest["database"]["file"]
    if vendor == "postgresql":
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                db["NAME"],
                str(source),
            ],
            env=_pg_env(db),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr[-2000:]}")
    else:
        if not database_url:
            connection.close()
        with sqlite3.connect(source) as src, sqlite3.connect(db["NAME"]) as dst:
            src.backup(dst)
    folders = {name: Path(files_to) / name for name in ("private", "media")} if files_to else _local_folders()
    with tarfile.open(folder / manifest["files"]["file"], "r:gz") as tar:
        members = tar.getmembers()
        for name, path in folders.items():
            wanted = [m for m in members if m.name == name or m.name.startswith(f"{name}/")]
            if not wanted:
                continue
            if path.exists():
                shutil.rmtree(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            for member in wanted:
                member.name = member.name[len(name) :].lstrip("/") or "."
            tar.extractall(path, members=wanted, filter="data")
    return manifest


def default_destination() -> Path:
    return Path(getattr(settings, "BACKUP_DIR", settings.VAR_DIR / "backups"))
