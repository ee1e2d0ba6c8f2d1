"""The service's tools over the Model Context Protocol (the official ``mcp`` SDK): stdio
(``qa-service mcp``) and streamable HTTP mounted on the running service at ``/mcp``."""

from qa_service.mcp.server import build_server, mount, run_stdio

__all__ = ["build_server", "mount", "run_stdio"]
