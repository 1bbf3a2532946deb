"""Analytics: pure functions over a Session that compute what the pages and reports show.

Every function takes an open SQLAlchemy ``Session`` and returns plain dicts and lists
(JSON-ready), so the web pages, the JSON API and the Word/PDF reports draw the same
numbers from one place. Counts are numbers of distinct activities.

Link kinds are told apart everywhere: *stated* (stated or curated links, and suggested
links a reviewer accepted or edited), *suggested* (classifier suggestions not yet
reviewed) and *derived* (implied by framework links, computed by ``sdgmap.frameworks.linkage``).
Rejected links never count.

Stable entry points (used by the reports):

- ``goal_coverage(session)`` -> 17 rows, stated/suggested/total activity counts per goal
- ``most_least_covered(coverage, n=3)`` -> {"most": [...], "least": [...]}
- ``activities_by_type(session)``, ``activities_by_year(session)``
- ``overview(session)`` -> all of the above in one dict
- ``sankey(session, strategy="itu-sp-2020", level="objective", sdg_level="goal")``
- ``action_line_sdg_matrix(session, basis="activities" | "framework")``
- ``matrix_cell_evidence(session, action_line, goal)`` -> framework links behind a cell
- ``cooccurrence_network(session)`` -> SDG goals that co-occur in activities
- ``trends_by_goal(session)`` -> activities per goal per report year
"""

from sdgmap.analytics.coverage import (
    activities_by_type,
    activities_by_year,
    goal_coverage,
    goal_meta,
    most_least_covered,
    overview,
    trends_by_goal,
)
from sdgmap.analytics.flows import (
    action_line_sdg_matrix,
    cooccurrence_network,
    matrix_cell_evidence,
    sankey,
    strategy_levels,
)

__all__ = [
    "action_line_sdg_matrix",
    "activities_by_type",
    "activities_by_year",
    "cooccurrence_network",
    "goal_coverage",
    "goal_meta",
    "matrix_cell_evidence",
    "most_least_covered",
    "overview",
    "sankey",
    "strategy_levels",
    "trends_by_goal",
]
