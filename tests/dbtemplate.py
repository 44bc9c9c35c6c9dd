"""The migrated SQLite test database, built once and copied into every test process (a pytest plugin, loaded by
tests/conftest.py).

Migrating from scratch (333 migrations, Wagtail's included; each AlterField and AddField rebuilds a table on SQLite)
costs about a minute of CPU, and every pytest-xdist worker used to pay it. Here the first process to need a database
migrates it as Django always does, then saves a copy of the result in ``var/test-db/<key>.sqlite3``; every other process
(the other workers, and later runs while nothing changed) copies that file into its own in-memory database with
SQLite's backup API, in milliseconds. A lock file makes the other workers wait for the first one instead of building it
a second time.

The copy never goes stale: its key is a hash of everything the migrated database is made of:
- every file of every installed app's migrations package (the project's and the libraries');
- the project's Python modules those migrations and the post_migrate receivers import, transitively (e.g. the roles
  and permissions ``portal.roles`` grants after migrating, the triggers ``portal.db.append_only`` installs);
- the installed distributions and their versions (Django's, Wagtail's and allauth's receivers live there);
- every setting (per-run temporary paths masked), so a change of languages, time zone or apps builds another copy.
Only the newest few copies are kept.

PostgreSQL and the other cases (``--nomigrations``, a file test database) keep pytest-django's behaviour unchanged;
``PORTAL_TEST_DB_TEMPLATE=0`` turns the copy off, ``PORTAL_TEST_DB_CACHE`` moves the folder.
"""

import ast
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import os
import re
import sqlite3
import sys
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KEEP = 4  # copies kept in the cache folder (e.g. the UTC and the Pacific/Auckland runs' settings)
_MASKS = [
    (re.compile(r"portal-tests-[A-Za-z0-9_]+"), "portal-tests-*"),  # portal.settings.test's per-run temporary folder
    (re.compile(r" at 0x[0-9a-f]+"), ""),  # object addresses in reprs
]


def enabled(connection, use_migrations: bool) -> bool:
    return (
        os.environ.get("PORTAL_TEST_DB_TEMPLATE", "1") != "0"
        and use_migrations
        and connection.vendor == "sqlite"
        and connection.creation.is_in_memory_db(connection.creation._get_test_db_name())
    )


def cache_dir() -> Path:
    return Path(os.environ.get("PORTAL_TEST_DB_CACHE") or ROOT / "var" / "test-db")


# --- the key ---------------------------------------------------------------------------------------------------------


def _canonical(value, depth=0):
    """A stable text form of a setting's value (sets sorted, addresses and per-run paths masked)."""
    if depth > 8:
        return "..."
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{_canonical(k, depth + 1)}:{_canonical(v, depth + 1)}" for k, v in _sorted(value.items()))
            + "}"
        )
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_canonical(v, depth + 1) for v in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(v, depth + 1) for v in value) + "]"
    if isinstance(value, str | int | float | bool | type(None) | Path):
        text = repr(value)
    elif callable(value) and hasattr(value, "__qualname__"):
        text = f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    else:
        text = f"{type(value).__module__}.{type(value).__qualname__}:{value}"
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def _sorted(items):
    return sorted(items, key=lambda kv: _canonical(kv[0]))


def _project_module_file(name: str) -> Path | None:
    """The source file of a module of this project (not of a library), or None."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    path = Path(spec.origin).resolve()
    if ROOT not in path.parents or ".venv" in path.parts or "site-packages" in path.parts:
        return None
    return path


def _imported_modules(path: Path, module: str) -> set[str]:
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    # importing a.b.c runs a/__init__.py and a/b/__init__.py too
    return {".".join(name.split(".")[:i]) for name in names for i in range(1, name.count(".") + 2)}


def _migration_files() -> list[Path]:
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    files = []
    for app_config in apps.get_app_configs():
        module_name, _explicit = MigrationLoader.migrations_module(app_config.label)
        if not module_name:
            continue
        try:
            spec = importlib.util.find_spec(module_name)
        except ImportError:
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            files.extend(sorted(p for p in Path(location).rglob("*.py") if "__pycache__" not in p.parts))
    return files


def _receiver_modules() -> set[str]:
    from django.db.models.signals import post_migrate, pre_migrate

    modules = set()
    for signal in (pre_migrate, post_migrate):
        for entry in signal.receivers:
            receiver = entry[1]
            target = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
            target = getattr(target, "__func__", target)
            if getattr(target, "__module__", None):
                modules.add(target.__module__)
    return modules


def _project_sources(migration_files: list[Path]) -> list[Path]:
    """The project's modules reachable by import from its migrations and from the migrate signals' receivers."""
    pending = set(_receiver_modules())
    for path in migration_files:
        if ROOT in path.resolve().parents and ".venv" not in path.parts:
            module = ".".join(path.resolve().relative_to(ROOT).with_suffix("").parts)
            pending |= _imported_modules(path, module)
    seen: dict[str, Path] = {}
    while pending:
        name = pending.pop()
        if name in seen or name.split(".")[0] in sys.stdlib_module_names:
            continue
        path = _project_module_file(name)
        seen[name] = path
        if path is not None:
            pending |= _imported_modules(path, name) - seen.keys()
    return sorted({p for p in seen.values() if p is not None})


def template_key() -> str:
    from django.conf import settings

    digest = hashlib.sha256()
    migration_files = _migration_files()
    for path in migration_files + _project_sources(migration_files):
        digest.update(str(path.relative_to(ROOT) if ROOT in path.parents else path.name).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for dist in sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()):
        digest.update(dist.encode())
    digest.update(f"python {sys.version_info[:2]} sqlite {sqlite3.sqlite_version}".encode())
    for name in sorted({n for n in dir(settings) if n.isupper() and n != "SETTINGS_MODULE"}):  # (its values count)
        value = getattr(settings, name)
        if name == "DATABASES":  # the test database's name differs per process; the engine and options matter
            value = {alias: {k: v for k, v in db.items() if k not in ("NAME", "TEST")} for alias, db in value.items()}
        digest.update(f"{name}={_canonical(value)}\n".encode())
    return digest.hexdigest()[:20]


# --- building and copying --------------------------------------------------------------------------------------------


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _save(connection, target: Path) -> None:
    connection.ensure_connection()
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    destination = sqlite3.connect(partial)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    os.replace(partial, target)  # atomic: a reader sees the whole copy or none
    copies = sorted(target.parent.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in copies[KEEP:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".lock").unlink(missing_ok=True)


def _restore(connection, source: Path) -> None:
    connection.ensure_connection()
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        origin.backup(connection.connection)
    finally:
        origin.close()


@contextmanager
def migrate_from_template(connection, report) -> Iterator[None]:
    """While Django creates the test database, its `migrate` step copies the saved migrated database instead (building
    and saving it first if no process has yet)."""
    import django.core.management as management

    real_call_command = management.call_command
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key = template_key()
    template = folder / f"{key}.sqlite3"

    def call_command(command_name, *args, **options):
        if command_name != "migrate" or options.get("database", "default") != connection.alias:
            return real_call_command(command_name, *args, **options)
        started = time.perf_counter()
        with _locked(template.with_suffix(".lock")):
            waited = time.perf_counter() - started
            if template.exists():
                _restore(connection, template)
                os.utime(template)  # recently used: kept
                copied = time.perf_counter() - started - waited
                report(
                    f"copied {template.name} in {copied:.2f} s"
                    + (f" (waited {waited:.0f} s for its build)" if waited > 1 else "")
                )
                return None
            result = real_call_command(command_name, *args, **options)
            _save(connection, template)
            report(f"migrated and saved {template.name} ({time.perf_counter() - started:.1f} s)")
            return result

    management.call_command = call_command
    try:
        yield
    finally:
        management.call_command = real_call_command


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's own django_db_setup (same arguments, same teardown), with the migrated SQLite database copied."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    setup_databases_args = {}
    if not django_db_use_migrations:
        _disable_migrations()
    if django_db_keepdb and not django_db_createdb:
        setup_databases_args["keepdb"] = True
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)

    def report(message):
        request.config._dbtemplate_report = message

    with django_db_blocker.unblock():
        connection = connections["default"]
        use_template = "default" in aliases and enabled(connection, django_db_use_migrations)
        started = time.perf_counter()
        with migrate_from_template(connection, report) if use_template else _nothing():
            db_cfg = setup_databases(
                verbosity=request.config.option.verbose,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                **setup_databases_args,
            )
        request.config._dbtemplate_seconds = time.perf_counter() - started

    yield

    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=request.config.option.verbose)
            except Exception as exc:  # noqa: BLE001 (as pytest-django: a failed teardown warns)
                request.node.warn(pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}"))


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _setup_line(config) -> str | None:
    seconds = getattr(config, "_dbtemplate_seconds", None)
    if seconds is None:
        return None
    return f"{seconds:.1f} s: {getattr(config, '_dbtemplate_report', 'migrated (no saved copy used)')}"


def pytest_sessionfinish(session):
    line = _setup_line(session.config)
    if line and hasattr(session.config, "workeroutput"):  # a pytest-xdist worker: its controller prints it
        session.config.workeroutput["dbtemplate"] = line


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    line = getattr(node, "workeroutput", {}).get("dbtemplate")
    if line:
        node.config._dbtemplate_lines = [*getattr(node.config, "_dbtemplate_lines", []), f"{node.gateway.id}: {line}"]


def pytest_terminal_summary(terminalreporter, config):
    lines = getattr(config, "_dbtemplate_lines", []) or list(filter(None, [_setup_line(config)]))
    for line in sorted(lines):
        terminalreporter.write_line(f"test database set up in {line}")
