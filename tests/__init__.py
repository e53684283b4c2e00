"""veche's tests.

Imported before anything else of the suite, so that what follows holds in every test process
and in every ``veche`` the tests start: a machine may forbid Python to keep compiled modules
(``PYTHONDONTWRITEBYTECODE``, set on this project's machines), and then each of the suite's
processes compiled every module of veche and of the tests again, and pytest rewrote the
tests' assertions again: half of the 20 s each test process took to collect the suite.
The compiled files go to the ``__pycache__`` folders, which git ignores.
"""

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
