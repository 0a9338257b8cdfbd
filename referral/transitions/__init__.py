"""Transitions of care: emergency visits, admissions and discharges, by hand or from HL7 v2 ADT."""
