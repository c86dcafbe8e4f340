"""A loopback HTTP server standing in for Sotkanet and StatFin in the refresh tests.

Responses are either the real recorded samples from the data release (read from
BOOK_DATA_MIRROR at test time, never copied into the repository) or SYNTHETIC responses in the
APIs' formats built at test time from the release's own files (real values, re-encoded).
"""

from __future__ import annotations

import csv
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    content_type: str = "application/json"
    trickle: float = 0.0  # seconds between single bytes of the body (a server that never quite stops)
    content_length: bool = True  # False: no Content-Length, the body ends when the connection closes


class FakeAPI:
    """Routes: (method, path) -> callable(query: dict, body: bytes) -> Reply, or a scripted list."""

    def __init__(self):
        self.routes: dict[tuple[str, str], object] = {}
        self.scripts: dict[tuple[str, str], list[Reply]] = {}
        self.hits: dict[tuple[str, str], int] = {}
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method):
                url = urllib.parse.urlsplit(self.path)
                key = (method, url.path)
                api.hits[key] = api.hits.get(key, 0) + 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                script = api.scripts.get(key)
                # a scripted reply (None: fall through to the normal route); the last one repeats
                reply = (script.pop(0) if len(script) > 1 else script[0]) if script else None
                if reply is None:
                    handler = api.routes.get(key)
                    reply = (
                        handler(urllib.parse.parse_qs(url.query), body)
                        if handler
                        else Reply(404, b'{"error":"not found"}')
                    )
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    if reply.content_length:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if reply.trickle:
                        for index in range(len(reply.body)):
                            self.wfile.write(reply.body[index : index + 1])
                            self.wfile.flush()
                            time.sleep(reply.trickle)
                    else:
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):  # noqa: N802
                self._serve("GET")

            def do_POST(self):  # noqa: N802
                self._serve("POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def script(self, method: str, path: str, replies: list[Reply | None]) -> None:
        """Serve these replies in order for the next requests (the last one repeats; None = normal route)."""
        self.scripts[(method, path)] = list(replies)


def jbytes(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def install_sotkanet(api: FakeAPI, mirror: Path, prefix: str = "/rest/1.1") -> None:
    """Sotkanet routes: the real /regions sample; SYNTHETIC /indicators/N and /json answers built
    from the release's 2019 indicator file and the real indicator-127 CSV sample of 2009."""
    regions = (mirror / "api-samples/sotkanet_regions.json").read_bytes()
    with open(mirror / "sotkanet/indicators_2019_municipalities.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    meta = {}
    for r in rows:
        meta[int(r["indicator"])] = {
            "id": int(r["indicator"]),
            "title": {"fi": r["indicator.title.fi"]},
            "organization": {"title": {"fi": r["indicator.organization.title.fi"]}},
        }
    meta[127] = {"id": 127, "title": {"fi": "Väestö 31.12."}, "organization": {"title": {"fi": "Tilastokeskus"}}}
    population_2009 = []
    with open(mirror / "api-samples/sotkanet_csv_indicator127_2009.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            item = {
                "indicator": int(r["indicator"]),
                "region": int(r["region"]),
                "year": int(r["year"]),
                "gender": r["gender"],
                "value": float(r["primary value"]),
            }
            population_2009.append(item)

    def regions_route(q, body):
        return Reply(200, regions)

    def json_route(q, body):
        ind = int(q["indicator"][0])
        years = {int(y) for y in q.get("years", [])}
        if ind == 127:
            return Reply(200, jbytes([i for i in population_2009 if i["year"] in years]))
        out = []
        for r in rows:
            if int(r["indicator"]) == ind and int(r["year"]) in years:
                item = {
                    "indicator": ind,
                    "region": int(r["region"]),
                    "year": int(r["year"]),
                    "gender": r["gender"],
                    "value": float(r["primary.value"]),
                }
                if r["absolute.value"]:
                    item["absValue"] = float(r["absolute.value"])
                out.append(item)
        # the real API also answers for non-municipal regions (here: an AVI area, id 833): must be dropped
        out.append({"indicator": ind, "region": 833, "year": min(years), "gender": "total", "value": 1.0})
        return Reply(200, jbytes(out))

    api.routes[("GET", f"{prefix}/regions")] = regions_route
    api.routes[("GET", f"{prefix}/json")] = json_route

    def indicator_route(body: bytes):
        return lambda q, b: Reply(200, body)

    for ind, m in meta.items():
        api.routes[("GET", f"{prefix}/indicators/{ind}")] = indicator_route(jbytes(m))


STATFIN_PATH = "/PXWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"


def install_statfin(api: FakeAPI, mirror: Path, years=(2017, 2018)) -> None:
    """StatFin PxWeb v1 routes, SYNTHETIC: table metadata (GET) and JSON-stat2 answers (POST) built
    from the release's monthly unemployment file (real values, re-encoded)."""
    data: dict[tuple[str, str], dict] = {}
    names: dict[str, str] = {}
    with open(mirror / "statfin/unemployment_monthly_2006_2020.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if int(r["month"][:4]) in years:
                code = "KU" + r["municipality_code"]
                names[code] = r["municipality_name_fi"]
                data[(code, r["month"][:4] + "M" + r["month"][5:])] = r
    areas = ["SSS"] + sorted(names)
    months = sorted({m for _, m in data})
    measures = {"TYOTTOMATLOPUSSA": "unemployed", "TYOVOIMATK": "labour_force", "AVPAIKATLOPUSSA": "open_vacancies"}
    meta = {
        "title": "SYNTHETIC test table",
        "variables": [
            {
                "code": "Alue",
                "text": "Alue",
                "values": areas,
                "valueTexts": ["KOKO MAA"] + [names[a] for a in areas[1:]],
            },
            {"code": "Kuukausi", "text": "Kuukausi", "values": months, "valueTexts": months, "time": True},
            {"code": "Tiedot", "text": "Tiedot", "values": list(measures), "valueTexts": list(measures.values())},
        ],
    }

    def metadata_route(q, body):
        return Reply(200, jbytes(meta))

    def query_route(q, body):
        query = json.loads(body)
        sel = {v["code"]: v["selection"]["values"] for v in query["query"]}
        a, m, t = sel["Alue"], sel["Kuukausi"], sel["Tiedot"]
        values = []
        for area in a:
            for month in m:
                for meas in t:
                    r = data.get((area, month))
                    v = r[measures[meas]] if r else ""
                    values.append(float(v) if v != "" else None)
        doc = {
            "version": "2.0",
            "class": "dataset",
            "label": "SYNTHETIC",
            "id": ["Alue", "Kuukausi", "Tiedot"],
            "size": [len(a), len(m), len(t)],
            "dimension": {
                "Alue": {
                    "category": {
                        "index": {c: i for i, c in enumerate(a)},
                        "label": {c: names.get(c, "KOKO MAA") for c in a},
                    }
                },
                "Kuukausi": {"category": {"index": {c: i for i, c in enumerate(m)}, "label": {c: c for c in m}}},
                "Tiedot": {
                    "category": {"index": {c: i for i, c in enumerate(t)}, "label": {c: measures[c] for c in t}}
                },
            },
            "value": values,
        }
        return Reply(200, jbytes(doc))

    api.routes[("GET", STATFIN_PATH)] = metadata_route
    api.routes[("POST", STATFIN_PATH)] = query_route
