"""kopt: an LLM-agent-driven Triton kernel optimizer with an adversarial judge."""
__version__ = "0.1.0"
