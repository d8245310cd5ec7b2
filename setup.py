"""Build hook for the optional C fast path (analyzer/_fastclf.c); metadata lives in pyproject.toml.

The extension is optional: without a C compiler the build skips it and appaccess
parses NCSA logs with queries/formats/clf.sql alone (slower, same results).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("analyzer._fastclf", sources=["analyzer/_fastclf.c"], optional=True,
                             extra_compile_args=["-O3"])])
