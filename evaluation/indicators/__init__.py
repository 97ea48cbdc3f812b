"""Indicators the city reports, computed the way the regulations define them.

- :func:`ikm`: Indeks Kepuasan Masyarakat from respondent-level SKM answers
  (PermenPANRB 14/2017), with per-element results, a bootstrap interval and the
  Krejcie–Morgan sample check (:func:`required_sample`).
- :func:`training_intensity`: JP per ASN, 20-JP compliance (PP 11/2017 Pasal 203(4)),
  constant-price spending and the competency / learning-path mix per unit-year;
  :func:`programme_exposure` for staged programmes.
- :func:`ip_asn`: Indeks Profesionalitas ASN (PermenPANRB 38/2018);
  :func:`ipm_category` and :func:`check_ipm_series` for BPS's IPM.

This module is the stage's public face: import every indicator from here. IKM lives in
the private module ``_skm.py``, training intensity in
``_training.py`` (aggregates) and ``_intensity.py`` (per-ASN measures), coded values and
topics in ``_codes.py``, IP ASN in ``_ip_asn.py`` and IPM in ``_ipm.py``; all are
re-exported below.

Every function is pure: DataFrames with the canonical column names of
:mod:`evaluation.columns` in, DataFrames out. Nothing here reads or writes files.
"""

from __future__ import annotations

from ._access import COUNT_COLUMNS, access_counts, access_measures, assemble_counts, staff_frame
from ._codes import COMPETENCY_TYPES, LEARNING_PATHS, keyword_pattern, topic_masks
from ._intensity import (
    assemble_intensity,
    check_unique,
    deflator,
    intensity_columns,
    programme_exposure,
    staff_counts,
    training_intensity,
)
from ._ip_asn import IP_ASN_CATEGORIES, IP_ASN_WEIGHTS, ip_asn, ip_asn_category
from ._ipm import IPM_CATEGORIES, check_ipm_series, ipm_category
from ._skm import IkmResult, ikm, ikm_from_element_means
from ._skm_rules import (
    IKM_ANSWER_COLUMNS,
    IKM_CATEGORIES,
    IKM_ELEMENTS,
    IKM_WEIGHTS,
    KM_CHI2,
    KM_D,
    KM_P,
    ikm_category,
    required_sample,
)
from ._summary import (
    NO_PERSONS_REASON,
    ikm_from_skm_summary,
    staff_from_summary,
    summary_aggregates,
)
from ._training import (
    TrainingAggregates,
    aggregate_training,
    credited_jp,
    part_columns,
    person_year_jp,
)

__all__ = [
    "COUNT_COLUMNS",
    "access_counts",
    "access_measures",
    "assemble_counts",
    "staff_frame",
    "NO_PERSONS_REASON",
    "ikm_from_skm_summary",
    "staff_from_summary",
    "summary_aggregates",
    "COMPETENCY_TYPES",
    "LEARNING_PATHS",
    "TrainingAggregates",
    "aggregate_training",
    "assemble_intensity",
    "check_unique",
    "intensity_columns",
    "keyword_pattern",
    "part_columns",
    "person_year_jp",
    "staff_counts",
    "topic_masks",
    "IKM_ANSWER_COLUMNS",
    "IKM_CATEGORIES",
    "IKM_ELEMENTS",
    "IKM_WEIGHTS",
    "IPM_CATEGORIES",
    "IP_ASN_CATEGORIES",
    "IP_ASN_WEIGHTS",
    "KM_CHI2",
    "KM_D",
    "KM_P",
    "IkmResult",
    "check_ipm_series",
    "credited_jp",
    "deflator",
    "ikm",
    "ikm_category",
    "ikm_from_element_means",
    "ip_asn",
    "ip_asn_category",
    "ipm_category",
    "programme_exposure",
    "required_sample",
    "training_intensity",
]
