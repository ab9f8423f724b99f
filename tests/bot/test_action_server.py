"""The action server loads every piece of knowledge at start-up, without TensorFlow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_warm_up_loads_the_offence_look_up_and_all_actions_without_tensorflow():
    script = (
        "import sys, bot.action_server as a; a.warm_up(); import actions.casefile_form, actions.casefile_records, "
        "actions.guidance, actions.walkthroughs; print(sys.modules.get('tensorflow') is None)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True"
