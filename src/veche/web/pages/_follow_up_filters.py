"""The filters the follow-up's templates write figures with: ``{{ value|figure }}`` (1,200.5),
``{{ share|percent }}`` (52.78 %) and ``{{ value|percent_figure }}`` (a figure measured in
percent: 27.39 %), as the summing-up writes them; and ``goal_label(number, path)``, a goal
named with its resolution ("R2 · 1") where several resolutions' goals stand together."""

from __future__ import annotations

from veche.follow_up.goal_labels import goal_label
from veche.reports.charts import figure_text, percent_figure_text, percent_text
from veche.web.templating import templates

templates.env.filters["figure"] = figure_text
templates.env.filters["percent"] = percent_text
templates.env.filters["percent_figure"] = percent_figure_text
templates.env.globals["goal_label"] = goal_label
