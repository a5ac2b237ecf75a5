"""The archive as a Datasette site (`kscrape serve`, extra `kscrape[serve]`).

`metadata` describes the site to Datasette (title, licence, column descriptions, facets, the
search page, which tables are internal); `plugin` is kscrape's Datasette plugin, registered
as the `datasette` entry point `kscrape`: it adds the search functions to every connection,
renders release bodies, and serves attachments, feeds and the weekly chart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kscrape.config import Config
from kscrape.site.metadata import metadata

__all__ = ["TEMPLATES", "datasette_for", "metadata"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def datasette_for(config: Config) -> Any:
    """A Datasette instance on the archive at `config.db`, read-only, with kscrape's site."""
    from datasette.app import Datasette

    return Datasette(
        [config.db],
        metadata=metadata(config),
        template_dir=str(TEMPLATES),
        settings={"truncate_cells_html": 0, "facet_time_limit_ms": 1000,
                  "sql_time_limit_ms": 3000, "default_page_size": 50},
    )
