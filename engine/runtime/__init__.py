"""Running cases: deploy flowcharts, start cases, complete tasks, fire timers."""
