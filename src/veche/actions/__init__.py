"""Every change of state: check_* functions validate, do_* functions change and journal."""
