# -*- coding: latin-1 -*-
def café_name() -> str:
    """Retourne le nom du café."""
    return "café"
