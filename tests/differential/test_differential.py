"""Every answer of the differential scenarios equals what release 0.1.0 answered.

Release 0.1.0 stored and decided every request as its own row; its answers
were recorded in tests/differential/reference/ (see scenarios.py). The same
public-API calls are made again here and each answer must match: the same
columns with the same types, and the same rows (compared as sorted lists, so a
tie broken differently is not a difference; the stored order of exports is
checked on its own).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.differential.scenarios import REFERENCE, SCENARIOS, answers, built, comparable


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_answers_equal_the_reference(name: str) -> None:
    scenario = SCENARIOS[name]
    recorded = {p.stem: p for p in (REFERENCE / name).glob("*.parquet")}
    assert recorded, f"no reference answers for {name}"
    seen: set[str] = set()
    problems: list[str] = []
    with built(scenario) as (ctx, tmp):
        for answer, table in answers(ctx, scenario, tmp):
            seen.add(answer)
            if answer not in recorded:
                problems.append(f"{answer}: not in the reference")
                continue
            expected = pq.read_table(recorded[answer])
            if table.schema.names != expected.schema.names:
                problems.append(f"{answer}: columns {table.schema.names} != {expected.schema.names}")
                continue
            types = [(n, str(a), str(e)) for n, a, e in zip(table.schema.names, table.schema.types,
                                                             expected.schema.types, strict=True)
                     if a != e and str(e) != "null" and str(a) != "null"]
            if types:
                problems.append(f"{answer}: column types differ {types}")
            got, want = comparable(table), comparable(expected)
            if got != want:
                missing = [r for r in want if r not in got][:3]
                extra = [r for r in got if r not in want][:3]
                problems.append(f"{answer}: {len(got)} rows vs {len(want)}; missing {missing}; unexpected {extra}")
            if answer == "export_decisions":
                key = "file" if "file" in table.column_names else "file_id"
                order = list(zip(table.column(key).to_pylist(), table.column("line_no").to_pylist(), strict=True))
                files = {Path(f).name: i for i, f in enumerate(dict.fromkeys(f for f, _ in order))}
                assert order == sorted(order, key=lambda fl: (files[fl[0]], fl[1])), f"{answer}: not in stored order"
    problems += [f"{answer}: no longer answered" for answer in sorted(set(recorded) - seen)]
    assert not problems, "\n".join(problems)
