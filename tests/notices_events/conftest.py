"""Families and donors who consent to SMS notices, and a case taken through the stages' own
services (the `people` fixture, tests/fixtures/personas.py), so each event is told where the work is done."""
