"""agno's `agno.run` module paths: what a run reports (`routerkit.run.base.RunStatus`)."""
