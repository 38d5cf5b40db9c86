#!/usr/bin/env python3
"""NumPy peer of the lmtransfer benchmark suite (bench/run.ts).

Runs as a long-lived child process so that its repetitions interleave with the JavaScript ones in
one run: it reads one JSON request per line on stdin and answers one JSON line on stdout.

  {"task": "matmul"|"ce"|"logPartition"|"step", "dtype": "float32"|"float64",
   "B": int, "d": int, "n": int, "bulk": int}          ->  {"ms": float}
  {"task": "info"}                                      ->  {"numpy": "...", "blas": "..."}

Data are generated once per (task, dtype, sizes) outside the timing. The workloads are the same
computations as the JavaScript candidates: Z = H·Vᵀ; softmax cross-entropy forward and backward
(loss per row and the gradient (softmax − onehot)/B); log-sum-exp over a gathered bulk of V rows;
and a training step (Z, CE, dV = Gᵀ·H, dH = G·V, SGD update of V and H).
"""
import json
import sys
import time

try:
    import numpy as np
except Exception as e:  # pragma: no cover - reported to the caller
    print(json.dumps({"error": f"numpy unavailable: {e}"}), flush=True)
    sys.exit(0)

cache = {}


def data(req):
    key = (req["task"], req["dtype"], req["B"], req["d"], req["n"], req.get("bulk", 0))
    if key in cache:
        return cache[key]
    rng = np.random.default_rng(12345)
    dt = np.float32 if req["dtype"] == "float32" else np.float64
    B, d, n = req["B"], req["d"], req["n"]
    H = (rng.standard_normal((B, d)) / np.sqrt(d)).astype(dt)
    V = rng.standard_normal((n, d)).astype(dt)
    Z = (rng.standard_normal((B, n)) * 3).astype(dt)
    t = rng.integers(0, n, size=B)
    bulk = np.arange(n - req.get("bulk", n), n) if req.get("bulk") else np.arange(n)
    cache.clear()  # keep one problem in memory at a time
    cache[key] = (H, V, Z, t, bulk, dt)
    return cache[key]


def ce(Z, t):
    B = Z.shape[0]
    m = Z.max(axis=1, keepdims=True)
    E = np.exp(Z - m)
    s = E.sum(axis=1, keepdims=True)
    loss = (np.log(s[:, 0]) + m[:, 0] - Z[np.arange(B), t]).astype(np.float64).mean()
    G = E / s
    G[np.arange(B), t] -= 1
    G /= B
    return loss, G


def run(req):
    H, V, Z, t, bulk, dt = data(req)
    task = req["task"]
    t0 = time.perf_counter()
    if task == "matmul":
        _ = H @ V.T
    elif task == "ce":
        _ = ce(Z, t)
    elif task == "logPartition":
        L = H @ V[bulk].T
        m = L.max(axis=1)
        _ = np.log(np.exp(L - m[:, None]).sum(axis=1, dtype=np.float64)) + m
    elif task == "step":
        lr = dt(0.01)
        Zs = H @ V.T
        _, G = ce(Zs, t)
        dV = G.T @ H
        dH = G @ V
        V -= lr * dV
        H -= lr * dH
    else:
        raise ValueError(task)
    return (time.perf_counter() - t0) * 1000.0


def info():
    blas = "unknown"
    try:
        cfg = np.show_config(mode="dicts")
        b = cfg.get("Build Dependencies", {}).get("blas", {})
        blas = f"{b.get('name', '?')} {b.get('version', '')}".strip()
    except Exception:
        pass
    return {"numpy": np.__version__, "blas": blas}


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    try:
        req = json.loads(line)
        out = info() if req["task"] == "info" else {"ms": run(req)}
    except Exception as e:  # report, keep serving
        out = {"error": str(e)}
    print(json.dumps(out), flush=True)
