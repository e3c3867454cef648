"""Builds the optional compiled core (``textclean._core``, Cython at -O3).

Everything else is in pyproject.toml. Without a C compiler (or with
``TEXTCLEAN_PURE=1`` at build time) the extension is skipped and textclean runs
its pure-Python reference path; ``textclean --version`` says which is active.
"""

import os

from setuptools import setup

ext_modules = []
if os.environ.get("TEXTCLEAN_PURE") != "1":
    try:
        from Cython.Build import cythonize
        from setuptools import Extension
    except ImportError:  # pragma: no cover - Cython is a build requirement; pure path without it
        pass
    else:
        ext_modules = cythonize(
            [Extension("textclean._core", ["src/textclean/_core.pyx"], optional=True,
                       extra_compile_args=["-O3"])],  # portable: no -march; the loops vectorise at -O3
            compiler_directives={"language_level": "3"},
        )
        for extension in ext_modules:  # cythonize() makes new Extensions: say it again
            extension.optional = True  # a failed compile leaves the pure-Python path, not a failed install

setup(ext_modules=ext_modules)
