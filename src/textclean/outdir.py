"""A run owns its output: a lock against a second live run, and a manifest of what
it wrote.

* ``.textclean-lock`` (in a tree output; ``OUT.textclean-lock`` beside a JSONL file)
  holds the pid of the run writing there. A second run into the same output while
  that process lives is refused; a lock left by a process that died is taken over.
* ``.textclean-manifest.json`` lists the files the last run wrote into a tree.
  A new run into a folder that holds files no textclean run wrote is refused
  (unless ``overwrite``): it is somebody's folder. Files the previous run wrote
  that this run does not write again (pages the new options drop) are removed at
  the end, so the tree is what this run made; the count is reported.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .document import shown
from .errors import OutputError
from .io import relative_id

__all__ = ["OutputLock", "Manifest", "LOCK_NAME", "MANIFEST_NAME"]

LOCK_NAME = ".textclean-lock"
MANIFEST_NAME = ".textclean-manifest.json"
OWN_PREFIX = ".textclean"  # textclean's own files and folders in an output tree


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


class OutputLock:
    """Held while a run writes to ``path`` (a lock file); use as a context manager."""

    def __init__(self, path: Path, output: Path) -> None:
        self.path = Path(path)
        self.output = output
        self._held = False

    def __enter__(self) -> OutputLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot write to {self.output}: {exc.strerror or exc}") from exc
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                try:
                    pid = int(self.path.read_text(encoding="ascii").strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if pid and pid != os.getpid() and _alive(pid):
                    raise OutputError(
                        f"another textclean run (pid {pid}) is writing into {self.output}; wait for it to finish "
                        f"or stop it (if no such run is going on, delete {self.path})"
                    ) from None
                try:  # left by a run that died: take it over
                    self.path.unlink()
                except FileNotFoundError:
                    pass
                continue
            except OSError as exc:
                raise OutputError(f"cannot write to {self.output}: {exc.strerror or exc}") from exc
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(f"{os.getpid()}\n")
            self._held = True
            return self
        raise OutputError(f"cannot take the lock {self.path}; delete it if no textclean run is writing there")

    def __exit__(self, *exc: object) -> None:
        if self._held:
            self._held = False
            try:
                self.path.unlink()
            except OSError:
                pass


class Manifest:
    """The files an output tree's runs wrote (relative paths), read at the start of a
    run and written at its end."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = self.root / MANIFEST_NAME
        self.previous: set[str] = set()

    def check(self, *, overwrite: bool) -> None:
        """Read the last run's manifest; refuse a folder that holds files no textclean
        run wrote (unless ``overwrite``)."""
        if not self.root.is_dir():
            return
        try:
            self.previous = set(json.loads(self.path.read_bytes().decode("utf-8", "surrogateescape"))["files"])
        except FileNotFoundError:
            self.previous = set()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OutputError(f"cannot read {self.path} ({exc}); delete it, or choose an empty output folder") from None
        if overwrite:
            return
        foreign = [shown(name) for name in self._files() if shown(name) not in self.previous]
        if foreign:
            raise OutputError(
                f"{self.root} holds {len(foreign)} file(s) textclean did not write (e.g. {sorted(foreign)[0]}); "
                "choose an empty or new output folder, or pass --overwrite to write among them"
            )

    def finish(self, written: set[str]) -> int:
        """Record ``written`` (relative paths as :func:`~textclean.document.shown`
        shows them); remove the files the last run wrote that this one did not.
        Returns how many were removed."""
        removed = 0
        on_disk = {shown(name): name for name in self._files()}
        for name in sorted(self.previous - written):
            if name not in on_disk:
                continue
            try:
                (self.root / on_disk[name]).unlink()
                removed += 1
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise OutputError(f"cannot remove the stale output {self.root / name}: {exc.strerror or exc}") from exc
        from .io import write_atomic

        data = json.dumps({"files": sorted(written)}, ensure_ascii=False, indent=0)
        write_atomic(self.path, data.encode("utf-8", "surrogateescape"))
        return removed

    def _files(self) -> list[str]:
        found = []
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(OWN_PREFIX)]
            for name in files:
                if not name.startswith(OWN_PREFIX) and not (name.startswith(".") and name.endswith(".tmp")):
                    found.append(relative_id(os.path.join(folder, name), self.root))
        return found
