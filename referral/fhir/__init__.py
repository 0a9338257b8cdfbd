"""FHIR R4 (4.0.1) interface per the HL7 SDOH Clinical Care (Gravity) implementation guide."""
