"""Tests of linkaudit.report: the check reports (terminal, json) and progress."""
