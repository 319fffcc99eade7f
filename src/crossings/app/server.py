"""The app's HTTP side: FastAPI routes over the job table, and `serve` (uvicorn on 127.0.0.1 only)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from crossings.app.catalog import levers_of, scenario_path, shipped_scenarios, window_of
from crossings.app.charts import fan_svg
from crossings.app.jobs import DEFAULT_SEEDS, DOWNLOADS, MAX_SEEDS, Job, JobSpec, JobTable, check
from crossings.app.report_page import chart_choices, headlines, report_html
from crossings.core.errors import InputError
from crossings.scenario.load import load_raw

STATIC = Path(__file__).parent / "static"
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class RunRequest(BaseModel):
    scenario: str
    sets: list[str] = Field(default_factory=list, description="KEY.PATH=VALUE items, as `--set` takes them")
    start: str | None = None
    end: str | None = None
    seeds: int = DEFAULT_SEEDS
    first_seed: int = 1

    def spec(self) -> JobSpec:
        return JobSpec(path=scenario_path(self.scenario), sets=tuple(s for s in self.sets if s.strip()),
                       start=self.start or None, end=self.end or None, seeds=self.seeds, first_seed=self.first_seed)


def _error(err: InputError) -> JSONResponse:
    return JSONResponse({"error": str(err)}, status_code=400)


def _finite(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


def create_app(root: Path | None = None, workers: int = 2) -> FastAPI:
    """The app with its own job table (temp root unless `root`), removed when the app shuts down."""
    jobs = JobTable(root, workers=workers, report=report_html)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.close()

    app = FastAPI(title="Crossings", lifespan=lifespan)
    app.state.jobs = jobs
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def job_or_404(job_id: str) -> Job:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return job

    @app.get("/")
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/api/scenarios")
    def scenarios() -> list[dict[str, Any]]:
        return [{"name": n, "file": p.name} for n, p in shipped_scenarios().items()]

    @app.get("/api/scenarios/{name}")
    def scenario(name: str) -> Any:
        try:
            path = scenario_path(name)
            start, end = window_of(path)
            raw = load_raw(path)
            return {"name": name, "file": path.name, "start": start, "end": end,
                    "description": str(raw.get("description", "")), "max_seeds": MAX_SEEDS,
                    "default_seeds": DEFAULT_SEEDS,
                    "levers": [{"name": lv.name, "key": lv.key, "type": lv.type, "enabled": lv.enabled,
                                "fields": [f.__dict__ for f in lv.fields]} for lv in levers_of(path)]}
        except InputError as err:
            return _error(err)

    @app.post("/api/check")
    def check_settings(req: RunRequest) -> Any:
        try:
            check(req.spec())
        except InputError as err:
            return _error(err)
        return {"ok": True}

    @app.post("/api/jobs", status_code=202)
    def submit(req: RunRequest) -> Any:
        try:
            return jobs.submit(req.spec()).public()
        except InputError as err:
            return _error(err)

    @app.get("/api/jobs/{job_id}")
    def status(job_id: str) -> dict[str, Any]:
        seen = jobs.view(job_id)
        if seen is None:
            raise HTTPException(404, f"no job {job_id}")
        out, s = seen
        if s is not None:
            out["charts"] = [{"place": p, "measure": m} for p, m in chart_choices(s.bands)]
            out["headlines"] = headlines(s)
            out["effect_window"] = [{k: _finite(v) for k, v in r.items()}
                                    for r in s.effect_window.to_dict(orient="records")]
            out["files"] = list(DOWNLOADS)
        return out

    @app.get("/api/jobs/{job_id}/chart.svg")
    def chart(job_id: str, place: str, measure: str) -> Response:
        seen = jobs.view(job_id)
        if seen is None:
            raise HTTPException(404, f"no job {job_id}")
        if seen[1] is None:
            raise HTTPException(409, "the job has not finished")
        b = seen[1].bands
        if not ((b["place"] == place) & (b["measure"] == measure)).any():
            raise HTTPException(404, f"no {measure} for {place}")
        return Response(fan_svg(b, place, measure), media_type="image/svg+xml")

    @app.get("/api/jobs/{job_id}/files/{name}")
    def download(job_id: str, name: str) -> FileResponse:
        job = job_or_404(job_id)  # id, spec and folder never change after submission
        if name not in DOWNLOADS:
            raise HTTPException(404, f"no file {name}")
        seen = jobs.view(job_id)
        if seen is None or seen[0]["state"] != "done":
            raise HTTPException(409, "the job has not finished")
        path = job.folder / name if name == "results.xlsx" else job.folder / "results" / name
        stem = f"{job.spec.path.stem}_{job.id}_{name}"
        return FileResponse(path, media_type=DOWNLOADS[name], filename=stem)

    return app


def serve(host: str = "127.0.0.1", port: int = 8050) -> int:
    """Run the app until interrupted; only on this machine (the app runs code on request: never expose it)."""
    if host not in LOCAL_HOSTS:
        raise InputError("--host", host, "the app listens on 127.0.0.1 only")
    if not 0 < port < 65536:
        raise InputError("--port", str(port), "expected a port from 1 to 65535")
    import uvicorn

    print(f"Crossings app on http://127.0.0.1:{port}/ (Ctrl-C stops it)")
    uvicorn.run(create_app(), host="127.0.0.1", port=port, log_level="warning")
    return 0
