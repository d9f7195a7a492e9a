"""Shared settings and helpers of the benchmark scenarios."""

import dataclasses

from _report import fmt_times, ratio
from _timing import median_of


@dataclasses.dataclass
class Settings:
    """Options of one benchmark run.

    Parameters
    ----------
    quick : bool
        Smaller problems, fewer repeats and epochs (a smoke run).
    threads : int
        BLAS thread limit, in the main process and in every subprocess.
    repeats : int or None
        Overrides the number of repeats of every scenario.
    """

    quick: bool = False
    threads: int = 1
    repeats: int | None = None

    def pick(self, full, quick):
        """Return ``quick`` in a quick run, else ``full``.

        Parameters
        ----------
        full, quick : object
            The values for a full and a quick run.

        Returns
        -------
        object
            One of them.
        """
        return quick if self.quick else full

    def n_repeats(self, full, quick):
        """Return the number of repeats, honouring ``--repeats``.

        Parameters
        ----------
        full, quick : int
            Defaults of a full and a quick run.

        Returns
        -------
        int
            The number of repeats.
        """
        return self.repeats if self.repeats else self.pick(full, quick)


class Scenario:
    """Collects what one scenario reports.

    Parameters
    ----------
    title : str
        Section title in the report.
    description : str
        One paragraph saying what is measured.
    config : dict
        Problem sizes, repeats and so on, stored in the JSON.

    Attributes
    ----------
    raw : dict
        All raw samples, stored in the JSON.
    metrics : dict
        ``name -> {"value", "unit"}``: the medians that ``--compare`` shows.
    checks : list of dict
        Rows of the target table.
    tables : list of dict
        Detail tables: ``title``, ``columns`` and ``rows``.
    errors : dict
        ``case -> traceback`` of skmlp cases that failed.
    """

    def __init__(self, title, description, config):
        self.title = title
        self.description = description
        self.config = config
        self.raw = {}
        self.metrics = {}
        self.checks = []
        self.tables = []
        self.errors = {}

    def metric(self, name, value, unit="s"):
        """Record one summary value.

        Parameters
        ----------
        name : str
            Metric name, unique within the scenario.
        value : float
            The value; NaN is stored as None.
        unit : {"s", "B", "ratio", "acc", "epochs"}, default="s"
            Unit, used for formatting.

        Returns
        -------
        float
            ``value``, for chaining.
        """
        stored = value if value == value else None  # NaN -> None
        self.metrics[name] = {"value": stored, "unit": unit}
        return value

    def table(self, title, columns, rows):
        """Add a detail table.

        Parameters
        ----------
        title : str
            Caption.
        columns : sequence of str
            Header.
        rows : list of sequence
            Body cells (strings).
        """
        self.tables.append({"title": title, "columns": list(columns), "rows": rows})

    def as_dict(self):
        """Return everything as a JSON-serialisable dict.

        Returns
        -------
        dict
            The scenario's section of the results document.
        """
        return {
            "title": self.title,
            "description": self.description,
            "config": self.config,
            "checks": self.checks,
            "tables": self.tables,
            "metrics": self.metrics,
            "errors": self.errors,
            "raw": self.raw,
        }


def epoch_summary(samples):
    """Median time per epoch of a list of fit samples.

    Parameters
    ----------
    samples : list of dict
        Samples with ``epoch_cpu`` and ``epoch_wall``.

    Returns
    -------
    cpu, wall : float
        Median seconds per epoch (NaN without samples).
    """
    return median_of(samples, "epoch_cpu"), median_of(samples, "epoch_wall")


def vs(a, b):
    """Return the CPU and wall ratios of two ``(cpu, wall)`` pairs.

    Parameters
    ----------
    a, b : tuple of float
        ``(cpu, wall)`` of the numerator and the denominator.

    Returns
    -------
    tuple of float
        ``(a_cpu / b_cpu, a_wall / b_wall)``.
    """
    return ratio(a[0], b[0]), ratio(a[1], b[1])


def times_cell(pair):
    """Format a ``(cpu, wall)`` pair for a table cell.

    Parameters
    ----------
    pair : tuple of float
        CPU and wall seconds.

    Returns
    -------
    str
        ``"cpu / wall unit"``.
    """
    return fmt_times(*pair)
