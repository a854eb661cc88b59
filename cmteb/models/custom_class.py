"""Your own model class, `--model package.module:ClassName`: import it, and fingerprint its source.

Import: the module is imported (its code runs) from the Python path, with the current folder
first as `python -m cmteb.run` has it (the `cmteb` console script adds it). A spec that is not two
dotted identifiers (`..:X`, `:X`, `mod:`), a module that cannot be found or fails to import
(a syntax error, an exception in its code) and a missing class are UserErrors (exit 2), one line.

Source fingerprint: `sha256:<16 hex>` over the `.py` files of the class's top-level package
(sorted relative paths and bytes), or of its module file when it is not in a package. The
resolver records it in the model settings, which key the embedding cache and are compared when a
finished result is reused: an edited class never reuses embeddings or results of the old code.
Code outside that package (a library the class calls) is covered by the recorded library
versions, or by `--revision`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from cmteb.errors import UserError

USAGE = "expected package.module:ClassName (e.g. my_models:MyEncoder)"


def _current_folder_on_path() -> None:
    """`python -m` puts the current folder first on `sys.path`; a console script does not."""
    cwd = os.getcwd()
    if not any(os.path.abspath(entry or os.curdir) == cwd for entry in sys.path):
        sys.path.insert(0, cwd)


def import_class(spec: str) -> Any:
    """The class named by `spec` (module docstring); UserError naming `spec` when it cannot be had."""
    module_name, _, class_name = spec.partition(":")
    if not (all(part.isidentifier() for part in module_name.split(".")) and class_name.isidentifier()):
        raise UserError(f"model {spec!r}: {USAGE}")
    _current_folder_on_path()
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise UserError(f"model {spec!r}: {exc.filename}:{exc.lineno}: syntax error ({exc.msg})") from exc
    except ModuleNotFoundError as exc:
        missing = "" if exc.name == module_name else f" (it imports {exc.name!r}, which is not installed)"
        raise UserError(f"model {spec!r}: cannot import {module_name}{missing}: {exc} "
                        "(looked in the current folder and the Python path)") from exc
    except (Exception, SystemExit) as exc:  # the module's own code failed on import
        raise UserError(f"model {spec!r}: importing {module_name} failed: "
                        f"{type(exc).__name__}: {exc}") from exc
    cls = getattr(module, class_name, None)
    if cls is None or not callable(cls):
        where = getattr(module, "__file__", None) or module_name
        raise UserError(f"model {spec!r}: {where} has no class {class_name}")
    if isinstance(cls, type) and not any(callable(getattr(cls, m, None)) for m in ("encode", "predict")):
        where = getattr(module, "__file__", None) or module_name
        raise UserError(f"model {spec!r}: {where}: class {class_name} has no encode(texts, *, role, task, "
                        "batch_size) method (nor a cross-encoder's predict(pairs, *, task, batch_size))")
    return cls


def _source_files(cls: Any) -> tuple[Path, list[Path]] | None:
    """(root, .py files) the class comes from, or None for a class without a source file. For a
    namespace package spread over several folders, the folder holding the class's module."""
    module = sys.modules.get(getattr(cls, "__module__", "") or "")
    file = getattr(module, "__file__", None)
    if not file:
        return None
    file = Path(file).resolve()
    top = sys.modules.get(cls.__module__.split(".")[0])
    folders = [Path(f).resolve() for f in dict.fromkeys(getattr(top, "__path__", None) or [])]
    folder = next((f for f in folders if file.is_relative_to(f)), None)
    if folder is None:
        return file.parent, [file]
    return folder.parent, sorted(p for p in folder.rglob("*.py") if p.is_file())


def source_fingerprint(cls: Any) -> str:
    """`sha256:<16 hex>` of the class's source files (module docstring); 'unknown' without any."""
    found = _source_files(cls)
    if found is None:
        return "unknown"
    root, files = found
    digest = hashlib.sha256()
    for path in files:
        digest.update(os.path.relpath(path, root).encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()[:16]
