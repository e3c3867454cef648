"""The public surface: a curated __all__, nothing heavy at import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import textclean


def test_all_is_curated_and_importable():
    assert len(textclean.__all__) == len(set(textclean.__all__))
    for name in textclean.__all__:
        assert hasattr(textclean, name), name


def test_import_loads_nothing_heavy():
    code = (
        "import sys, textclean; "
        "heavy = [m for m in ('jieba', 'datasketch', 'chardet', 'ray') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_exceptions_share_one_base():
    for name in ("ConfigError", "RuleError", "OutputError"):
        assert issubclass(getattr(textclean, name), textclean.TextcleanError)
    assert issubclass(textclean.ConfigError, ValueError)
    assert issubclass(textclean.OutputError, OSError)


def test_one_call_api():
    assert textclean.clean("欢迎来到某某文库网!\n标题\n正文。\n标题") == "标题\n正文。\n"
    doc = textclean.clean_bytes("标题\n正文。".encode("gb18030"))
    assert (doc.encoding, doc.text) == ("gb18030", "标题\n正文。")


def test_every_python_example_of_the_readme_runs_as_a_script(tmp_path):
    """Each ```python block of README.md, run as a script beside a page.txt and a
    pages/ folder (the samples), as a reader would."""
    import re
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    blocks = re.findall(r"^```python\n(.*?)^```", (root / "README.md").read_text(encoding="utf-8"), re.S | re.M)
    assert blocks
    shutil.copytree(root / "data" / "samples", tmp_path / "pages")
    shutil.copy(root / "data" / "samples" / "001_cf16396ce54cb5a3.txt", tmp_path / "page.txt")
    for number, block in enumerate(blocks, 1):
        script = tmp_path / f"example{number}.py"
        script.write_text(block, encoding="utf-8")
        done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"README example {number}:\n{block}\n{done.stderr}"


@pytest.mark.parametrize("module", ["boilerplate", "config", "corpus", "decode", "dedup", "document", "line_model",
                                    "mining", "normalize", "pipeline", "prefilter", "report_html", "rules",
                                    "shingles", "sources"])
def test_docstring_examples_run(module: str):
    """Docstrings teach with runnable examples; a refitted model must not leave them stale."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"textclean.{module}"))
    assert result.failed == 0 and result.attempted > 0


def test_the_readme_layout_lists_every_module_and_nothing_else():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout"):]
    layout = layout[: layout.index("```", layout.index("```") + 3)]
    listed = set(re.findall(r"^  ([a-z_]+\.py) ", layout, re.M))
    modules = {p.name for p in (root / "src" / "textclean").glob("*.py")}
    assert listed == modules


def test_no_module_imports_back_a_module_that_imports_it():
    """No import cycle among textclean's modules at import time (imports inside
    functions and under TYPE_CHECKING are not import-time dependencies)."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "src" / "textclean"
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        deps = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
        graph[path.stem] = deps

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for dep in graph.get(start, ()):
            if dep == target or (dep not in seen and reaches(dep, target, seen | {dep})):
                return True
        return False

    cycles = sorted(name for name in graph if reaches(name, name, {name}))
    assert not cycles, cycles


def test_document_replace_is_dataclasses_replace():
    import dataclasses

    from textclean.document import Document

    doc = Document.from_text("标题\n正文。", id="a.txt", meta={"k": 1})
    assert doc.replace(text="正文。", origin=(2,)) == dataclasses.replace(doc, text="正文。", origin=(2,))
    assert doc.replace() == doc and doc.replace() is not doc
    with pytest.raises(TypeError, match="no field"):
        doc.replace(txt="typo")


def test_a_removal_gives_its_set_fields_in_field_order_also_after_pickling():
    import dataclasses
    import pickle

    from textclean.document import Removal

    removal = Removal(step="dedup", rule="near-duplicate-paragraph", kind="line", line=3, text="正文。",
                      similarity=0.9, duplicate_of=1)
    names = [f.name for f in dataclasses.fields(Removal) if getattr(removal, f.name) is not None]
    for value in (removal, pickle.loads(pickle.dumps(removal))):
        assert list(value.to_dict()) == names
        assert value.to_dict() == {name: getattr(removal, name) for name in names}


def test_importing_textclean_loads_nothing_heavy_until_a_name_is_used():
    """PEP 562: the package's names are imported on first use (so the command can set
    up its process before numpy loads); every name of __all__ is there."""
    import subprocess
    import sys

    code = ("import sys, textclean; heavy = [m for m in ('numpy', 'regex', 'textclean.pipeline') if m in sys.modules]; "
            "assert not heavy, heavy; assert textclean.clean('标题\\n正文。') == '标题\\n正文。\\n'; "
            "assert 'numpy' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
    import textclean

    assert all(getattr(textclean, name) is not None for name in textclean.__all__)
    assert set(textclean.__all__) <= set(dir(textclean))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        textclean.nothing  # noqa: B018


def test_the_command_chooses_one_blas_thread_unless_the_caller_chose(monkeypatch: pytest.MonkeyPatch):
    import os

    from textclean._entry import BLAS_THREADS, prepare

    for name in BLAS_THREADS:  # (set first: monkeypatch then puts back what was there, or nothing)
        monkeypatch.setenv(name, "0")
        monkeypatch.delenv(name)
    prepare()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    prepare()
    assert "OPENBLAS_NUM_THREADS" not in os.environ


def test_a_removal_sets_every_field_in_field_order() -> None:
    """Removal's own __init__ (faster than the generated one) takes exactly the fields,
    with their defaults, and stores them in field order (to_dict and reports rely on it)."""
    import dataclasses
    import inspect

    from textclean.document import Removal

    fields = dataclasses.fields(Removal)
    parameters = list(inspect.signature(Removal.__init__).parameters.values())[1:]
    assert [p.name for p in parameters] == [f.name for f in fields]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
    assert [p.default for p in parameters] == [inspect.Parameter.empty if f.default is dataclasses.MISSING
                                              else f.default for f in fields]
    removal = Removal(step="dedup", rule="r", kind="line", line=3, text="t", similarity=0.5)
    assert list(removal.__dict__) == [f.name for f in fields]
    with pytest.raises(dataclasses.FrozenInstanceError):
        removal.rule = "other"  # type: ignore[misc]
