"""The agent loop (LangGraph), proposers and the LLM client. Arrives with the agent-loop issue."""
