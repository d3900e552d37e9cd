"""The services' REST shapes as the gateway reads them: tolerant (unknown fields ignored).

These mirror ``services/*/**/schemas.py`` without importing them (the gateway talks REST only).
"""
