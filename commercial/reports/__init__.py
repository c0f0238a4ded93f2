"""Read side of commercial support, one module per subject; views and the home pages reach
the queries here."""

from commercial.reports.analysis import (
    DIMENSIONS,
    conversion,
    conversion_table,
    dimensions_for,
    forecast,
    forecast_table,
    lost_reasons,
    lost_reasons_table,
    won_lost,
    won_lost_table,
)
from commercial.reports.buyers import search_buyers
from commercial.reports.choices import (
    active_products,
    advisers,
    buyers_by_name,
    contacts,
    cooperatives,
    lead_cooperatives,
)
from commercial.reports.pipeline import (
    leads_without_next_step,
    pipeline_by_stage,
    recent_leads,
    visible_lead_ids,
)
from commercial.reports.products import CatalogueFilters, catalogue, catalogue_cooperatives

__all__ = [
    "DIMENSIONS",
    "CatalogueFilters",
    "active_products",
    "advisers",
    "buyers_by_name",
    "catalogue",
    "catalogue_cooperatives",
    "contacts",
    "conversion",
    "conversion_table",
    "cooperatives",
    "dimensions_for",
    "forecast",
    "forecast_table",
    "lead_cooperatives",
    "leads_without_next_step",
    "lost_reasons",
    "lost_reasons_table",
    "pipeline_by_stage",
    "recent_leads",
    "search_buyers",
    "visible_lead_ids",
    "won_lost",
    "won_lost_table",
]
