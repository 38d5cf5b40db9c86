#!/usr/bin/env python3
"""NumPy peer of the lmtransfer benchmark suite (bench/run.ts).

Runs as a long-lived child process so that its repetitions interleave with the JavaScript ones in
one run: it reads one JSON request per line on stdin and answers one JSON line on stdout.

  {"task": "matmul"|"ce"|"logPartition"|"step", "dtype": "float32"|"float64",
   "B": int, "d": int, "n": int, "bulk": int}          ->  {"ms": float}
  {"task": "info"}                                      ->  {"numpy": "...", "blas": "..."}

With arguments, `numpy_peer.py anchor V.npy H.npy 0,10,100,1000` runs the peer of
`lmtransfer anchor --exclude-top 0,10,100,1000` once (bench/anchorGpt2.bench.ts) and prints one JSON
line: the same two passes over V·H (blocked float32 products, float64 sums: one pass ranking the
words by mean probability, one computing every bulk's log Z_B), one eigendecomposition of the
centred d × d covariance shared by every bulk's fit, the seconds of each phase, the peak resident
memory, and each bulk's R² and anchor norm for comparison.

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


def anchor_sweep(v_path, h_path, ks_text, block=256):
    import resource

    ks = [int(k) for k in ks_text.split(",")]
    V = np.load(v_path).astype(np.float32, copy=False)
    H = np.load(h_path).astype(np.float32, copy=False)
    n, d = V.shape
    m = H.shape[0]
    kmax = max(ks)
    t_start = time.perf_counter()
    # Pass 1: mean probability of every word (float32 logits, float64 sums).
    t0 = time.perf_counter()
    sums = np.zeros(n, np.float64)
    for i0 in range(0, m, block):
        L = H[i0:i0 + block] @ V.T
        mx = L.max(axis=1, keepdims=True)
        E = np.exp(L - mx)
        s = E.sum(axis=1, dtype=np.float64)
        sums += (E / s[:, None].astype(np.float32)).sum(axis=0, dtype=np.float64)
    ranking = np.argsort(-sums / m, kind="stable")[:kmax]
    t_rank = time.perf_counter() - t0
    # Pass 2: log Z_B for every bulk from the same logits block.
    t0 = time.perf_counter()
    Z = np.zeros((m, len(ks)), np.float64)
    masks = []
    for k in ks:
        keep = np.ones(n, bool)
        keep[ranking[:k]] = False
        masks.append(keep)
    for i0 in range(0, m, block):
        L = H[i0:i0 + block] @ V.T
        for j, keep in enumerate(masks):
            Lb = L[:, keep] if not keep.all() else L
            mx = Lb.max(axis=1)
            Z[i0:i0 + block, j] = np.log(np.exp(Lb - mx[:, None]).sum(axis=1, dtype=np.float64)) + mx
    t_lse = time.perf_counter() - t0
    # The fits: one decomposition of the centred covariance, shared by every bulk.
    t0 = time.perf_counter()
    H64 = H.astype(np.float64)
    hbar = H64.mean(axis=0)
    Hc = H64 - hbar
    C = Hc.T @ Hc / m
    lam, Q = np.linalg.eigh(C)
    tol = max(10 * d * 2.0**-52 * lam.max(), 100 * 2.0**-48 * (np.trace(C) + hbar @ hbar))
    keep = lam > tol
    out = []
    for j, k in enumerate(ks):
        z = Z[:, j]
        zc = z - z.mean()
        r = Hc.T @ zc / m
        anchor = Q[:, keep] @ ((Q[:, keep].T @ r) / lam[keep])
        e = zc - Hc @ anchor
        mse = float((e * e).mean())
        base = float((zc * zc).mean())
        out.append({"k": k, "r2": 1 - mse / base if base > 0 else 1.0, "anchorNorm": float(np.linalg.norm(anchor)), "rank": int(keep.sum()) + 1})
    t_fit = time.perf_counter() - t0
    total = time.perf_counter() - t_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"numpy": np.__version__, "n": n, "d": d, "m": m, "passes": 2, "seconds": {"rank": t_rank, "logPartition": t_lse, "fit": t_fit, "total": total}, "peakBytes": peak, "results": out}


if len(sys.argv) > 1:
    if sys.argv[1] != "anchor" or len(sys.argv) != 5:
        print(json.dumps({"error": "usage: numpy_peer.py anchor V.npy H.npy K1,K2,..."}), flush=True)
        sys.exit(2)
    print(json.dumps(anchor_sweep(sys.argv[2], sys.argv[3], sys.argv[4])), flush=True)
    sys.exit(0)

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
