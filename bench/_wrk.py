"""HTTP load from wrk (Debian's package `wrk`), driven by a Lua script.

A load generator written in Python took a large share of this 2-core machine
from the server it measured (/healthz read 388 req/s through it and 8,400 req/s
through wrk), so HTTP figures come from wrk. Each wrk thread holds exactly one
connection, which gives every simulated client its own Lua state: multi-step
flows (draw a paper, answer it, submit it) keep their state in globals.

A benchmark's script defines:

    start(args)                      -- once per client; `id` is 1..clients
    next_request() -> request        -- built with wrk.format(...)
    on_response(status, headers, body)

and calls ``count(name)`` for whatever it wants reported. The prelude records
each request's latency, stops issuing real requests at the deadline and then
sends only ``GET <tail>`` until wrk stops, so no measured request is cut off
in flight (a vote that got its 201 is also a vote the script counted).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

PRELUDE = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } dj_timespec;
int clock_gettime(int clk, dj_timespec *tp);
]]
local _ts = ffi.new("dj_timespec")
function now()
  ffi.C.clock_gettime(1, _ts)
  return tonumber(_ts.tv_sec) + tonumber(_ts.tv_nsec) * 1e-9
end

local _threads = {}
local _next_id = 1
function setup(thread)
  thread:set("id", _next_id)
  _next_id = _next_id + 1
  table.insert(_threads, thread)
end

function count(name, n)
  counts[name] = (counts[name] or 0) + (n or 1)
end

function init(args)
  counts = {}
  latencies = {}
  first_at = 0
  last_at = 0
  _seconds = tonumber(args[1])
  _tail = wrk.format("GET", args[2])
  _deadline = nil
  _sent_at = nil
  start(args)
end

function request()
  local t = now()
  if _deadline == nil then
    _deadline = t + _seconds
    first_at = t
  end
  if t >= _deadline then
    _sent_at = nil
    return _tail
  end
  _sent_at = t
  return next_request()
end

function response(status, headers, body)
  if _sent_at == nil then return end
  local t = now()
  latencies[#latencies + 1] = (t - _sent_at) * 1000.0
  last_at = t
  on_response(status, headers, body)
end

function done(summary, latency, requests)
  for _, t in ipairs(_threads) do
    io.write("WRK-SPAN ", string.format("%.6f %.6f", t:get("first_at"), t:get("last_at")), "\n")
    for k, v in pairs(t:get("counts")) do
      io.write("WRK-COUNT ", k, " ", v, "\n")
    end
    local lat = t:get("latencies")
    local parts = {}
    for i = 1, #lat do parts[#parts + 1] = string.format("%.3f", lat[i]) end
    io.write("WRK-LAT ", table.concat(parts, " "), "\n")
  end
  io.write("WRK-ERRORS ", string.format("%d %d %d %d %d", summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout), "\n")
end
"""


@dataclass
class WrkResult:
    counts: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def per_second(self, n: int | None = None) -> float:
        return (
            (self.requests if n is None else n) / self.seconds if self.seconds else 0.0
        )

    def percentile(self, p: float) -> float:
        values = sorted(self.latencies_ms)
        if not values:
            return 0.0
        return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit(
            "The HTTP part of this benchmark needs wrk: apt-get install wrk "
            "(a Python load generator would eat the CPU it measures)."
        )
    return path


def run_wrk(
    port: int,
    script: str,
    *,
    clients: int,
    seconds: float,
    args: tuple[str, ...] = (),
    tail: str = "/healthz",
    path: str = "/",
) -> WrkResult:
    """Runs ``clients`` connections for ``seconds`` of measured load."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(PRELUDE)
        f.write(script)
        script_path = f.name
    budget = int(seconds) + 4
    completed = subprocess.run(
        [
            wrk_path(),
            f"-t{clients}",
            f"-c{clients}",
            f"-d{budget}s",
            "--timeout",
            "60s",
            "-s",
            script_path,
            f"http://127.0.0.1:{port}{path}",
            "--",
            str(seconds),
            tail,
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"wrk failed: {completed.stderr or completed.stdout}")
    result = WrkResult()
    firsts, lasts = [], []
    for line in completed.stdout.splitlines():
        tag, _, rest = line.partition(" ")
        if tag == "WRK-COUNT":
            name, value = rest.rsplit(" ", 1)
            result.counts[name] = result.counts.get(name, 0) + int(float(value))
        elif tag == "WRK-LAT" and rest:
            result.latencies_ms.extend(float(x) for x in rest.split())
        elif tag == "WRK-SPAN":
            first, last = (float(x) for x in rest.split())
            if last:
                firsts.append(first)
                lasts.append(last)
        elif tag == "WRK-ERRORS":
            names = ("connect", "read", "write", "status", "timeout")
            result.errors = dict(
                zip(names, (int(x) for x in rest.split()), strict=True)
            )
    if lasts:
        result.seconds = max(lasts) - min(firsts)
    if completed.stderr:
        print(completed.stderr[:2000])
    if any(result.errors.get(k) for k in ("connect", "read", "write", "timeout")):
        print(f"wrk reported socket errors: {result.errors}")
    return result
