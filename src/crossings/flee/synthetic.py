"""Small synthetic Flee-format cases, written to disk: for tests and examples (not real data).

`write_chain_case` writes a conflict zone, towns and camps joined by a few links, with comment headers,
extra columns, an optional closure and optional conflicts.csv, so every reader path can be exercised.
"""

from __future__ import annotations

from pathlib import Path


def write_chain_case(root: str | Path, *, days: int = 40, with_optional: bool = True,
                     extra_columns: bool = True, spawn_per_day: int = 40, camp_capacity: int = 0) -> Path:
    """A -(60 km)- B -(150 km)- C(camp); B -(400 km)- D(camp); A -(30 km)- M(marker) -(30 km)- B.

    Camps are observed at 0 on day 0 and growing; refugees.csv grows by `spawn_per_day` a day.
    """
    case = Path(root)
    inp = case / "input_csv"
    src = case / "source_data"
    inp.mkdir(parents=True, exist_ok=True)
    src.mkdir(parents=True, exist_ok=True)
    ex_h = ",comment_attr" if extra_columns else ""
    ex = ",x" if extra_columns else ""
    cap = str(camp_capacity) if camp_capacity else ""
    (inp / "locations.csv").write_text(
        "# synthetic test case: not real data\n"
        f"#name,region,country,latitude,longitude,location_type,conflict_date,population{ex_h}\n"
        f"A,R1,Home,10.0,10.0,conflict_zone,0,10000{ex}\n"
        f"B,R1,Home,10.5,10.0,town,,5000{ex}\n"
        f"M,R1,Home,10.2,10.0,marker,,0{ex}\n"
        f"C,R2,Away,11.5,10.0,camp,,{cap}{ex}\n"
        f"D,R3,Away,13.5,10.0,camp,,{cap}{ex}\n"
    )
    (inp / "routes.csv").write_text(
        "#name1,name2,distance,forced_redirection" + (",note" if extra_columns else "") + "\n"
        + "\n".join(f"{r}" + (",n" if extra_columns else "")
                    for r in ("A,B,60,0", "B,C,150,0", "B,D,400,0", "A,M,30,0", "M,B,30,0")) + "\n"
    )
    (inp / "sim_period.csv").write_text(f"StartDate,2020-01-01\nLength,{days}\n")
    if with_optional:
        (inp / "closures.csv").write_text("#closure_type,name1,name2,closure_start,closure_end\n"
                                          "location,D,,5,12\n")
        rows = ["#Day,A,B"] + [f"{t},1,{1 if t >= days // 2 else 0}" for t in range(days)]
        (inp / "conflicts.csv").write_text("\n".join(rows) + "\n")
    (src / "data_layout.csv").write_text("total,refugees.csv\nC,c.csv\nD,d.csv\n")
    last = days - 1
    end = f"2020-01-{1 + min(last, 30):02d}" if last <= 30 else f"2020-02-{min(last - 30, 28):02d}"
    total_end = spawn_per_day * last
    (src / "refugees.csv").write_text(f"2020-01-01,0\n{end},{total_end}\n")
    (src / "c.csv").write_text(f"# camp C\n2020-01-01,0\n{end},{total_end // 2}\n")
    (src / "d.csv").write_text(f"2020-01-01,0\n{end},{total_end // 4}\n")
    return case
