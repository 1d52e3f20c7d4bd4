"""bulletin-bot: the Ukrainian General Staff's daily bulletin of claimed Russian losses."""

__version__ = "0.1.0"
