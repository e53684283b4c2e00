"""The filters the follow-up's templates write figures with: ``{{ value|figure }}`` (1,200.5)
and ``{{ share|percent }}`` (52.78 %), as the summing-up writes them."""

from __future__ import annotations

from veche.reports.charts import figure_text, percent_text
from veche.web.templating import templates

templates.env.filters["figure"] = figure_text
templates.env.filters["percent"] = percent_text
