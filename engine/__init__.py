"""Sunshine's core: BPMN, calendar, runtime, supervision and audit. Imports no Flask."""
