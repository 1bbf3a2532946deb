"""``sdgmap links``: the links of one node, stated and (on request) derived."""

from __future__ import annotations

import click

from sdgmap.cli.common import AppContext, json_option, pass_app, print_json, print_table
from sdgmap.frameworks.linkage import derived_links, get_node, stated_links


@click.command("links")
@click.option("--node", "ref", required=True, help="Node as framework:code, e.g. itu-sp-2020:D.2-2 or sdg:9.")
@click.option("--direction", type=click.Choice(["out", "in", "both"]), default="out", show_default=True)
@click.option("--derived", is_flag=True, help="Also show links derived through paths (with their path).")
@json_option
@pass_app
def links_cmd(app: AppContext, ref: str, direction: str, derived: bool, as_json: bool) -> None:
    """Show the links of a framework node."""
    with app.store.transaction() as s:
        node = get_node(s, ref)
        views = stated_links(s, node, direction)
        if derived:
            views += derived_links(s, node)
    if as_json:
        print_json([v.as_dict() for v in views])
        return
    print_table(["from", "to", "relation", "kind", "source", "locator / path"],
                [(v.source, v.target, v.relation, v.kind, v.origin_source, " -> ".join(v.path) or v.locator)
                 for v in views], title=f"Links of {ref}")


def register(cli: click.Group) -> None:
    cli.add_command(links_cmd)
