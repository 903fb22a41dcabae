"""Where the composition root (libs/cli/compose.py) finds the deadline sweep until services
declare their periodic jobs: the sweep is deadline_sweep.py, the re-derivation after a calendar
change deadline_rederivation.py."""

from services.intake.service_layer.deadline_sweep import sweep_all

__all__ = ["sweep_all"]
