"""Prompt templates for the LLM proposer. Arrive with the agent-loop issue."""
