"""Reports of a run: Autobahn-shaped JSON, an HTML matrix with detail pages, JUnit XML and a Markdown summary.

writer = ReportWriter(Path("reports"), run_info)
for result in results:          # as they arrive
    writer.add(result)
summary = writer.finish(wall_time)
print(summary.line())
"""

from __future__ import annotations

from .writer import ReportWriter, Summary, point_latest

__all__ = ["ReportWriter", "Summary", "point_latest"]
