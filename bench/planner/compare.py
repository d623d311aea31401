#!/usr/bin/env python3
"""Side-by-side comparison of the alliance planner (`xiangzhi plan`) with spopt's MaxPHeuristic,
pygeoda's maxp_greedy and an exact set-packing MIP (HiGHS) over the planner's own candidates.

Set up with `scripts/bench-planner-setup`, then run with `.venv-bench/bin/python
bench/planner/compare.py` (see --help). Everything is checked by this file's own checker; nothing a
method reports about itself is trusted for feasibility.

Rules of an alliance (region): connected in the instance adjacency, 3-5 members, population
1000-2000, exactly one `may_lead` member (and, for our plan, that member is the one marked lead).
Objective, lexicographic: targets placed, then alliances, then least heterogeneity (distinct
industries among members minus 1, summed over alliances).
"""

import argparse
import csv
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from pathlib import Path

import numpy as np

MIN_SIZE, MAX_SIZE = 3, 5
MIN_POP, MAX_POP = 1000, 2000
INDUSTRIES = ["苹果", "蔬菜", "乡村旅游"]
LATTICES = [10, 20, 30, 50]
# libpysal datasets bundled in the wheel (no download): name -> (shapefile, code column, name
# column, township column or None, CRS of the stored coordinates or None if unknown/arbitrary).
REAL = {
    "sids2": ("sids2.shp", "FIPS", "NAME", None, "EPSG:4326"),
    "georgia": ("G_utm.shp", "AreaKey", "Name", None, "EPSG:26916"),
    "mexico": ("mexicojoin.shp", "CODE", "NAME", "REGION", "EPSG:4326"),
    "columbus": ("columbus.shp", "POLYID", None, None, None),
    "10740": ("10740.shp", "STFID", None, "FIPSSTCO", "EPSG:4326"),
    "virginia": ("virginia.shp", "FIPS", "NAME", None, "EPSG:4326"),
}
ROOT = Path(__file__).resolve().parents[2]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# Instances


class Instance:
    """Units 0..n-1 with codes, attributes, adjacency (index lists) and geometries."""

    def __init__(self, name, codes, names, geoms, adj, township, rng, crs=None, attrs=None):
        n = len(codes)
        self.name, self.codes, self.names, self.geoms, self.crs = name, codes, names, geoms, crs
        self.n = n
        self.adj = [sorted(set(a)) for a in adj]
        self.township = township
        if attrs is None:
            self.population = rng.integers(200, 700, n)  # 200..699
            self.industry = rng.integers(0, len(INDUSTRIES), n)
            self.industries = [[INDUSTRIES[k]] for k in self.industry]
            self.target = rng.random(n) < 0.6
            self.may_lead = rng.random(n) < 0.3
            self.excluded = np.zeros(n, dtype=bool)
        else:  # read from a file: industries may be several per unit
            self.population = np.asarray(attrs["population"], dtype=np.int64)
            self.industries = attrs["industries"]
            first = [x[0] if x else "" for x in self.industries]
            kinds = sorted(set(first))
            self.industry = np.array([kinds.index(x) for x in first], dtype=np.int64)
            self.target = np.asarray(attrs["target"], dtype=bool)
            self.may_lead = np.asarray(attrs["may_lead"], dtype=bool)
            self.excluded = np.asarray(attrs["excluded"], dtype=bool)
        self.kinds = max(1, len({x for ind in self.industries for x in ind}))
        self.index = {c: i for i, c in enumerate(codes)}
        assert len(self.index) == n, "codes must be unique"
        for i, a in enumerate(self.adj):
            for j in a:
                assert i != j and i in self.adj[j], "adjacency must be symmetric, no loops"

    def heterogeneity(self, members):
        """Distinct industries among the members, minus 1 (0 if none listed)."""
        return max(0, len({ind for v in members for ind in self.industries[v]}) - 1)

    def write_geojson(self, path):
        from shapely.geometry import mapping

        feats = []
        for i in range(self.n):
            feats.append(
                {
                    "type": "Feature",
                    "geometry": mapping(self.geoms[i]),
                    "properties": {
                        "code": self.codes[i],
                        "name": self.names[i],
                        "population": int(self.population[i]),
                        "industries": self.industries[i],
                        "target": bool(self.target[i]),
                        "may_lead": bool(self.may_lead[i]),
                        "excluded": bool(self.excluded[i]),
                        "township": self.township[i],
                        "neighbours": [self.codes[j] for j in self.adj[i]],
                    },
                }
            )
        fc = {"type": "FeatureCollection", "features": feats}
        if self.crs:
            fc["crs"] = {"type": "name", "properties": {"name": self.crs}}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(fc, f, ensure_ascii=False)

    def gdf(self):
        """GeoDataFrame (row i = unit i) with the attributes the heuristics use."""
        import geopandas as gpd

        g = gpd.GeoDataFrame(
            {
                "population": self.population.astype(float),
                "industry_code": self.industry.astype(float),
                **{f"ind_{k}": np.array([float(x in ind) for ind in self.industries])
                   for k, x in enumerate(sorted({x for ind in self.industries for x in ind}))},
            },
            geometry=list(self.geoms),
        )
        return g


def rng_for(name, seed):
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def lattice(side, seed):
    from shapely.geometry import box

    n = side * side
    name = f"lattice{side}x{side}"
    adj = [[] for _ in range(n)]
    for i in range(n):
        r, c = divmod(i, side)
        if c + 1 < side:
            adj[i].append(i + 1)
            adj[i + 1].append(i)
        if r + 1 < side:
            adj[i].append(i + side)
            adj[i + side].append(i)
    codes = [f"V{i}" for i in range(n)]
    geoms = [box(c * 1000.0, r * 1000.0, (c + 1) * 1000.0, (r + 1) * 1000.0)
             for r, c in (divmod(i, side) for i in range(n))]
    township = [str((i % side) // 4) for i in range(n)]
    return Instance(name, codes, codes, geoms, adj, township, rng_for(name, seed))


def real(name, seed):
    import geopandas as gpd
    import libpysal

    shp, code_col, name_col, town_col, crs = REAL[name]
    g = gpd.read_file(libpysal.examples.get_path(shp))
    if crs and g.crs is None:
        g = g.set_crs(crs)
    if g.crs is not None and g.crs.is_geographic:
        g = g.to_crs(g.estimate_utm_crs())
    w = libpysal.weights.Queen.from_dataframe(g, use_index=False, silence_warnings=True)
    adj = [list(w.neighbors[i]) for i in range(len(g))]
    raw = [str(x) for x in g[code_col]] if code_col in g.columns else []
    codes = raw if len(set(raw)) == len(g) else [f"{name}-{i}" for i in range(len(g))]
    names = [str(x) for x in g[name_col]] if name_col in g.columns else codes
    township = [str(x) for x in g[town_col]] if town_col in g.columns else ["1"] * len(g)
    epsg = g.crs.to_epsg() if g.crs is not None else None
    return Instance(name, codes, names, list(g.geometry), adj, township, rng_for(name, seed),
                    crs=f"urn:ogc:def:crs:EPSG::{epsg}" if epsg else None)


def from_geojson(path):
    """An instance from a GeoJSON file in the contract format (as written by write_geojson)."""
    from shapely.geometry import shape

    with open(path, encoding="utf-8-sig") as f:
        fc = json.load(f)
    props = [ft["properties"] for ft in fc["features"]]
    codes = [str(p["code"]) for p in props]
    index = {c: i for i, c in enumerate(codes)}
    adj = [[index[c] for c in p.get("neighbours", [])] for p in props]
    for i, a in enumerate(adj):  # make symmetric if the file lists a border once
        for j in a:
            if i not in adj[j]:
                adj[j].append(i)
    attrs = {k: [p.get(k, d) for p in props] for k, d in
             [("population", 0), ("industries", []), ("target", False), ("may_lead", False),
              ("excluded", False)]}
    geoms = [shape(ft["geometry"]) for ft in fc["features"]]
    crs = (fc.get("crs") or {}).get("properties", {}).get("name")
    return Instance(Path(path).name.removesuffix(".geojson"), codes,
                    [str(p.get("name", p["code"])) for p in props], geoms, adj,
                    [str(p.get("township", "1")) for p in props], None, crs=crs, attrs=attrs)


def instance_names():
    return [f"lattice{s}x{s}" for s in LATTICES] + list(REAL)


def make_instance(name, seed):
    if name.startswith("lattice"):
        return lattice(int(name[len("lattice"):].split("x")[0]), seed)
    return real(name, seed)


# ----------------------------------------------------------------------------------------------
# Checker


def region_flags(inst, members):
    """(size ok, population ok, connected, exactly one may_lead member) for one region."""
    size_ok = MIN_SIZE <= len(members) <= MAX_SIZE
    pop = int(sum(inst.population[v] for v in members))
    pop_ok = MIN_POP <= pop <= MAX_POP
    mset = set(members)
    seen, stack = {members[0]}, [members[0]]
    while stack:
        v = stack.pop()
        for u in inst.adj[v]:
            if u in mset and u not in seen:
                seen.add(u)
                stack.append(u)
    conn = len(seen) == len(mset)
    one_lead = sum(bool(inst.may_lead[v]) for v in members) == 1
    return size_ok, pop_ok, conn, one_lead


def evaluate(inst, regions, leads=None):
    """Check regions (lists of unit indices). `leads[k]` (our plan only) is the list of units marked
    lead in region k; then the one-lead rule also needs exactly that one may_lead member marked."""
    problems = []
    home = {}
    for k, r in enumerate(regions):
        for v in r:
            if v in home:
                problems.append(f"unit {inst.codes[v]} in two regions")
            home[v] = k
            if inst.excluded[v]:
                problems.append(f"excluded unit {inst.codes[v]} grouped")
    spc = allok = 0
    placed = het = 0
    for k, r in enumerate(regions):
        s, p, c, l1 = region_flags(inst, r)
        if leads is not None:
            lk = leads[k]
            l1 = l1 and len(lk) == 1 and bool(inst.may_lead[lk[0]]) and lk[0] in r
        if s and p and c:
            spc += 1
            if l1 and not any(inst.excluded[v] for v in r):
                allok += 1
                placed += int(sum(inst.target[v] for v in r))
                het += inst.heterogeneity(r)
    targets = int(inst.target.sum())
    any_region = int(sum(inst.target[v] for v in home))
    nr = len(regions)
    return {
        "regions": nr,
        "feasible_spc": spc,
        "feasible_all": allok,
        "share_spc": spc / nr if nr else float("nan"),
        "share_all": allok / nr if nr else float("nan"),
        "targets": targets,
        "targets_placed": placed,
        "targets_in_any_region": any_region,
        "heterogeneity": het,
        "problems": problems,
    }


def labels_to_regions(labels):
    """Region label per unit -> list of member lists; labels <= 0 or None mean 'no region'."""
    groups = {}
    for i, lab in enumerate(labels):
        if lab is not None and lab > 0:
            groups.setdefault(int(lab), []).append(i)
    return [groups[k] for k in sorted(groups)]


# ----------------------------------------------------------------------------------------------
# Methods (each returns dict(regions, leads?, seconds, note))


def run_in_child(fn, args, timeout):
    """Run fn(*args) in a forked child (isolates crashes of C++ extensions, enforces a timeout)."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def target():
        try:
            send.send(("ok", fn(*args)))
        except BaseException as e:  # noqa: BLE001
            send.send(("err", f"{type(e).__name__}: {e}"))

    p = ctx.Process(target=target)
    p.start()
    send.close()
    try:
        if not recv.poll(timeout):
            raise TimeoutError(f"no answer in {timeout:.0f} s")
        status, value = recv.recv()
    except EOFError:
        p.join()
        raise RuntimeError(f"child died (exit code {p.exitcode})") from None
    finally:
        if p.is_alive():
            p.kill()
        p.join()
    if status == "err":
        raise RuntimeError(value)
    return value


def attr_columns(mode, g):
    """Dissimilarity attributes: one-hot (multi-hot) industry indicators, the first industry as a
    number 0..k-1, or population."""
    return {"onehot": [c for c in g.columns if c.startswith("ind_")],
            "code": ["industry_code"], "population": ["population"]}[mode]


def spopt_solve(inst, attrs, seed):
    import libpysal
    from spopt.region import MaxPHeuristic

    g = inst.gdf()
    w = libpysal.weights.W({i: list(inst.adj[i]) for i in range(inst.n)}, silence_warnings=True)
    np.random.seed(seed)  # MaxPHeuristic shuffles with numpy's global generator
    model = MaxPHeuristic(g, w, attr_columns(attrs, g), "population", MIN_POP)
    t = time.perf_counter()
    model.solve()
    secs = time.perf_counter() - t
    return {"labels": [int(x) for x in model.labels_], "seconds": secs, "p": int(model.p)}


def components(inst):
    """Connected-component label per unit."""
    lab = [-1] * inst.n
    k = 0
    for s in range(inst.n):
        if lab[s] >= 0:
            continue
        lab[s], stack = k, [s]
        while stack:
            v = stack.pop()
            for u in inst.adj[v]:
                if lab[u] < 0:
                    lab[u] = k
                    stack.append(u)
        k += 1
    return lab


def write_gal(adj, path):
    with open(path, "w") as f:
        f.write(f"0 {len(adj)} bench ID\n")  # 4-token header: libgeoda rejects shorter ones
        for i, a in enumerate(adj):
            f.write(f"{i + 1} {len(a)}\n")
            f.write(" ".join(str(j + 1) for j in a) + "\n")


def geoda_solve(inst, attrs, _seed):
    """pygeoda.maxp_greedy with its defaults. libgeoda loops forever when a connected component
    cannot reach the bound, so such components (which hold no feasible alliance) are left out and
    their units stay in no region."""
    import pygeoda

    lab = components(inst)
    comp_pop = {}
    for v in range(inst.n):
        comp_pop[lab[v]] = comp_pop.get(lab[v], 0) + int(inst.population[v])
    keep = [v for v in range(inst.n) if comp_pop[lab[v]] >= MIN_POP]
    new = {v: i for i, v in enumerate(keep)}
    adj = [[new[u] for u in inst.adj[v]] for v in keep]
    with tempfile.TemporaryDirectory() as d:
        gal = os.path.join(d, "w.gal")
        write_gal(adj, gal)
        w = pygeoda.weights.read_gal(gal, [str(i) for i in range(1, len(keep) + 1)])
    if w.num_obs != len(keep) or any(sorted(w.get_neighbors(i)) != adj[i] for i in range(len(keep))):
        raise RuntimeError("pygeoda read a different adjacency from the GAL file")
    g = inst.gdf().iloc[keep]
    data = g[attr_columns(attrs, g)]
    bound = g["population"]
    t = time.perf_counter()
    res = pygeoda.maxp_greedy(w, data, bound, MIN_POP)
    secs = time.perf_counter() - t
    labels = [0] * inst.n
    for i, x in enumerate(res["Clusters"]):
        labels[keep[i]] = int(x)
    dropped = inst.n - len(keep)
    note = f"{dropped} units in components below {MIN_POP} left out (libgeoda hangs on them)" if dropped else ""
    return {"labels": labels, "seconds": secs, "note": note}


def read_plan(inst, path):
    """PLAN.csv (alliance,code,lead) -> (regions, leads, problems)."""
    problems = []
    groups, leads, seen = {}, {}, set()
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            code = (row.get("code") or "").strip()
            if code not in inst.index:
                problems.append(f"unknown code {code!r}")
                continue
            v = inst.index[code]
            if v in seen:
                problems.append(f"code {code} listed twice")
            seen.add(v)
            a = (row.get("alliance") or "").strip()
            lead = (row.get("lead") or "").strip().lower() in ("true", "1", "yes")
            if not a:
                if lead:
                    problems.append(f"{code} is lead of no alliance")
                continue
            groups.setdefault(a, []).append(v)
            if lead:
                leads.setdefault(a, []).append(v)
    if len(seen) != inst.n:
        problems.append(f"{inst.n - len(seen)} villages missing from the plan")
    keys = sorted(groups, key=lambda k: (len(k), k))
    return [groups[k] for k in keys], [leads.get(k, []) for k in keys], problems


def ours_solve(inst, xiangzhi, seconds, workdir, repeat=1):
    """Runs `xiangzhi plan` `repeat` times (the plan is the same each time: deterministic for the
    seed) and reports the median times."""
    runs = [ours_solve_once(inst, xiangzhi, seconds, workdir) for _ in range(max(1, repeat))]
    last = runs[-1]
    last["seconds"] = float(np.median([r["seconds"] for r in runs]))
    for key in ("solve_seconds", "total_seconds"):
        times = [r["summary"].get(key) for r in runs]
        if all(t is not None for t in times):
            last["summary"][key] = float(np.median(times))
            last["summary"][key + "_runs"] = times
    return last


def ours_solve_once(inst, xiangzhi, seconds, workdir):
    base = workdir / inst.name
    paths = {k: str(base) + suffix for k, suffix in
             [("in", ".geojson"), ("plan", ".plan.csv"), ("cands", ".cands.csv"),
              ("summary", ".summary.json")]}
    for k in ("plan", "cands", "summary"):
        if os.path.exists(paths[k]):
            os.remove(paths[k])
    cmd = [xiangzhi, "plan", "--input", paths["in"], "--out", paths["plan"], "--candidates",
           paths["cands"], "--summary", paths["summary"], "--seconds", str(seconds)]
    t = time.perf_counter()
    cp = subprocess.run(cmd, capture_output=True, text=True, timeout=max(600, 20 * seconds))
    wall = time.perf_counter() - t
    if cp.returncode != 0:
        raise RuntimeError(f"exit {cp.returncode}: {(cp.stderr or cp.stdout).strip()[-300:]}")
    with open(paths["summary"], encoding="utf-8-sig") as f:
        summary = json.load(f)
    regions, leads, problems = read_plan(inst, paths["plan"])
    return {"regions": regions, "leads": leads, "problems": problems, "seconds": wall,
            "summary": summary, "cands": paths["cands"]}


# ----------------------------------------------------------------------------------------------
# Candidates and the MIP


def enumerate_candidates(inst):
    """Every feasible alliance (connected, 3-5 units, population 1000-2000, exactly one may_lead,
    nothing excluded), each exactly once (ESU enumeration of connected sets, pruned by the rules
    that only get worse as a set grows)."""
    adj, pop, lead = inst.adj, inst.population, inst.may_lead
    out = []

    def extend(sub, subset, nbhd, ext, v, p, nl):
        if len(sub) >= MIN_SIZE and p >= MIN_POP and nl == 1:
            out.append(tuple(sorted(sub)))
        if len(sub) == MAX_SIZE:
            return
        ext = list(ext)
        while ext:
            w = ext.pop()
            pw, lw = p + pop[w], nl + int(lead[w])
            if pw > MAX_POP or lw > 1:
                continue
            excl = [u for u in adj[w] if u > v and u not in subset and u not in nbhd]
            extend(sub + [w], subset | {w}, nbhd | set(adj[w]), ext + excl, v, pw, lw)

    for v in range(inst.n):
        if inst.excluded[v]:
            continue
        ext = [u for u in adj[v] if u > v and not inst.excluded[u]]
        extend([v], {v}, set(adj[v]) | {v}, ext, v, int(pop[v]), int(lead[v]))
    if inst.excluded.any():
        out = [c for c in out if not any(inst.excluded[u] for u in c)]
    return out


def write_cands(inst, cands, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["members", "population", "targets", "heterogeneity", "lead"])
        for c in cands:
            lead = next(inst.codes[v] for v in c if inst.may_lead[v])
            w.writerow([";".join(inst.codes[v] for v in c), int(sum(inst.population[v] for v in c)),
                        int(sum(inst.target[v] for v in c)), inst.heterogeneity(c), lead])


def read_cands(inst, path):
    """CANDS.csv -> (candidates as sorted index tuples, notes). Targets and heterogeneity are
    recomputed from the instance; candidates breaking a rule are dropped and counted."""
    cands, bad, unknown, dup = [], 0, 0, 0
    seen = set()
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            codes = [c for c in (row.get("members") or "").split(";") if c]
            if any(c not in inst.index for c in codes) or not codes:
                unknown += 1
                continue
            c = tuple(sorted(inst.index[x] for x in codes))
            if c in seen:
                dup += 1
                continue
            seen.add(c)
            if not all(region_flags(inst, list(c))) or any(inst.excluded[v] for v in c):
                bad += 1
                continue
            cands.append(c)
    notes = []
    if bad:
        notes.append(f"{bad} infeasible candidates dropped")
    if unknown:
        notes.append(f"{unknown} candidates with unknown codes dropped")
    if dup:
        notes.append(f"{dup} duplicate candidates dropped")
    return cands, notes


def weights_AB(inst):
    B = inst.n * inst.kinds + 1
    A = B * (inst.n + 1)
    assert inst.n * A + inst.n * B < 2**53
    return A, B


def objective(inst, targets, alliances, het):
    A, B = weights_AB(inst)
    return targets * A + alliances * B - het


def decode(inst, obj):
    A, B = weights_AB(inst)
    obj = int(round(obj))
    t, rem = divmod(obj, A)
    a = -(-rem // B)
    return t, a, a * B - rem


class quiet_stdout:
    """Send file descriptor 1 (C/C++ printf included) to /dev/null for the duration."""

    def __enter__(self):
        sys.stdout.flush()
        self.saved = os.dup(1)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)

    def __exit__(self, *exc):
        os.dup2(self.saved, 1)
        os.close(self.saved)


def solve_mip(inst, cands, seconds):
    import highspy
    from scipy import sparse

    m, n = len(cands), inst.n
    A, B = weights_AB(inst)
    cost = np.array([int(sum(inst.target[v] for v in c)) * A + B - inst.heterogeneity(c)
                     for c in cands], dtype=np.float64)
    lens = np.fromiter((len(c) for c in cands), dtype=np.int64, count=m)
    indptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    indices = np.fromiter((v for c in cands for v in c), dtype=np.int64, count=int(indptr[-1]))
    mat = sparse.csc_matrix((np.ones(len(indices)), indices, indptr), shape=(n, m))

    with quiet_stdout():  # HiGHS prints its banner on construction, before output_flag applies
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(seconds))
    h.setOptionValue("mip_rel_gap", 0.0)  # objective is integral and huge: close the gap exactly
    h.setOptionValue("mip_abs_gap", 0.5)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m, n
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(m)
    lp.col_upper_ = np.ones(m)
    lp.row_lower_ = np.full(n, -highspy.kHighsInf)
    lp.row_upper_ = np.ones(n)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = m, n
    lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mat.indices.astype(np.int32)
    lp.a_matrix_.value_ = mat.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * m
    t = time.perf_counter()
    h.passModel(lp)
    h.run()
    secs = time.perf_counter() - t
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    res = {"status": status, "seconds": secs, "candidates": m, "objective": None, "bound": None}
    if info.primal_solution_status >= 2 and m:  # feasible solution available
        x = np.asarray(h.getSolution().col_value)
        chosen = [cands[j] for j in np.flatnonzero(x > 0.5)]
        ev = evaluate(inst, [list(c) for c in chosen])
        res["objective"] = objective(inst, ev["targets_placed"], ev["feasible_all"],
                                     ev["heterogeneity"])
        res["chosen"] = chosen
        res["reported_objective"] = info.objective_function_value
    elif m == 0:
        res["objective"] = 0
    res["bound"] = info.mip_dual_bound if m else 0.0
    return res


# ----------------------------------------------------------------------------------------------
# Driver


def fmt(x, nd=2):
    if x is None:
        return "–"
    if isinstance(x, float):
        return "nan" if x != x else f"{x:.{nd}f}"
    return str(x)


def pct(x):
    return "–" if x is None or x != x else f"{100 * x:.1f}%"


def method_row(inst, method, wall, ev=None, error=None, note=""):
    if error is not None:
        return [inst.name, inst.n, method, fmt(wall), "–", "–", "–", "–", "–", f"error: {error}"]
    placed = ev["targets_placed"] / ev["targets"] if ev["targets"] else float("nan")
    raw = ev["targets_in_any_region"] / ev["targets"] if ev["targets"] else float("nan")
    notes = [note] if note else []
    notes += ev["problems"][:3]
    return [inst.name, inst.n, method, wall, ev["regions"], pct(ev["share_spc"]),
            pct(ev["share_all"]), f"{pct(placed)} (any region {pct(raw)})",
            ev["heterogeneity"], "; ".join(notes)]


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(" ".join(str(c).split()).replace("|", "/") for c in r) + " |"
            for r in rows]
    return "\n".join(out)


def run_instance(inst, args, workdir, rows, mip_rows, results):
    rec = {"instance": inst.name, "units": inst.n}
    results.append(rec)
    inst.write_geojson(workdir / f"{inst.name}.geojson")
    log(f"[{inst.name}] {inst.n} units, {sum(len(a) for a in inst.adj) // 2} adjacencies")

    ours = None
    if not args.skip_ours:
        try:
            if args.fake_ours_plan:
                ours = {"regions": None}
            else:
                ours = ours_solve(inst, args.xiangzhi, args.seconds, workdir, args.repeat)
                ev = evaluate(inst, ours["regions"], ours["leads"])
                ev["problems"] = ours["problems"] + ev["problems"]
                s = ours["summary"]
                note = f"summary total {fmt(s.get('total_seconds'))} s, solve {fmt(s.get('solve_seconds'))} s"
                for key, mine in [("alliances", ev["feasible_all"]),
                                  ("targets_placed", ev["targets_placed"]),
                                  ("heterogeneity", ev["heterogeneity"]), ("villages", inst.n),
                                  ("targets", ev["targets"])]:
                    if s.get(key) != mine:
                        note += f"; summary {key}={s.get(key)} but checker {mine}"
                if ev["feasible_all"] != ev["regions"]:
                    note += f"; {ev['regions'] - ev['feasible_all']} INFEASIBLE alliances"
                ours["eval"] = ev
                wall = f"{ours['seconds']:.2f} (summary {fmt(s.get('total_seconds'))})"
                rows.append(method_row(inst, "xiangzhi plan", wall, ev, note=note))
                rec["ours"] = {"wall": ours["seconds"], "summary": s, "eval": ev}
        except Exception as e:  # noqa: BLE001
            ours = None
            rows.append(method_row(inst, "xiangzhi plan", None, error=str(e)[:300]))
            rec["ours"] = {"error": str(e)}

    for method, fn, skip in [("spopt MaxPHeuristic", spopt_solve, args.skip_spopt),
                             ("pygeoda maxp_greedy", geoda_solve, args.skip_geoda)]:
        if skip:
            continue
        log(f"[{inst.name}] {method}…")
        try:
            t = time.perf_counter()
            # The fast methods run `--repeat` times (median time); spopt once (it takes seconds).
            reps = 1 if fn is spopt_solve else max(1, args.repeat)
            runs = [run_in_child(fn, (inst, args.attrs, args.seed), args.method_timeout)
                    for _ in range(reps)]
            r = dict(runs[-1], seconds=float(np.median([x["seconds"] for x in runs])))
            regions = labels_to_regions(r["labels"])
            ev = evaluate(inst, regions)
            rows.append(method_row(inst, method, f"{r['seconds']:.2f}", ev, note=r.get("note", "")))
            rec[method] = {"seconds": r["seconds"], "eval": ev}
        except Exception as e:  # noqa: BLE001
            wall = time.perf_counter() - t
            rows.append(method_row(inst, method, wall, error=str(e)[:300]))
            rec[method] = {"error": str(e)}

    if args.mip_seconds <= 0:
        return
    try:
        mine = None
        if ours and ours.get("cands") and os.path.exists(ours["cands"]):
            cands, notes = read_cands(inst, ours["cands"])
            src = "ours"
            said = ours.get("summary", {}).get("candidates")
            if said is not None and said != len(cands):
                notes.append(f"summary candidates={said}, CANDS.csv has {len(cands)} valid")
            if args.check_candidates:
                mine = set(enumerate_candidates(inst))
                theirs = set(cands)
                missing, extra = len(mine - theirs), len(theirs - mine)
                notes.append("candidates = independent enumeration" if not (missing or extra)
                             else f"candidates differ from independent enumeration: "
                                  f"{missing} missing, {extra} extra")
        else:
            cands, notes, src = enumerate_candidates(inst), [], "python enumeration"
            if args.fake_ours_plan is None and not args.skip_ours:
                notes.append("our CANDS.csv unavailable")
            write_cands(inst, cands, workdir / f"{inst.name}.py-cands.csv")
        log(f"[{inst.name}] MIP over {len(cands)} candidates ({src}), limit {args.mip_seconds} s…")
        mip = solve_mip(inst, cands, args.mip_seconds)
        ours_obj = ours_txt = ratio = our_time = "–"
        if args.fake_ours_plan and mip.get("chosen") is not None:
            # self-test: feed the MIP's own plan (or a broken one) back through the plan reader
            plan = workdir / f"{inst.name}.fake-plan.csv"
            write_plan(inst, mip["chosen"], plan, broken=args.fake_ours_plan == "broken")
            regions, leads, probs = read_plan(inst, plan)
            ev = evaluate(inst, regions, leads)
            ev["problems"] = probs + ev["problems"]
            ours = {"eval": ev, "seconds": 0.0}
            rows.append(method_row(inst, f"fake plan ({args.fake_ours_plan})", "0", ev))
        if ours and ours.get("eval"):
            ev = ours["eval"]
            o = objective(inst, ev["targets_placed"], ev["feasible_all"], ev["heterogeneity"])
            ours_obj = o
            ours_txt = f"{o} (t {ev['targets_placed']}, a {ev['feasible_all']}, h {ev['heterogeneity']})"
            if mip["objective"]:
                ratio = f"{100 * o / mip['objective']:.4f}%"
            our_time = f"{ours['seconds']:.2f}"
        mo = mip["objective"]
        mip_txt = "–" if mo is None else f"{mo} (t {decode(inst, mo)[0]}, a {decode(inst, mo)[1]}, h {decode(inst, mo)[2]})"
        bt = decode(inst, mip["bound"]) if mip["bound"] is not None and mip["bound"] < 2**53 else None
        bound_txt = "–" if bt is None else f"{mip['bound']:.0f} (t ≤ {bt[0]})"
        mip_rows.append([inst.name, f"{mip['candidates']} ({src})", mip_txt, bound_txt,
                         f"{mip['seconds']:.2f}", mip["status"], ours_txt, ratio, our_time,
                         "; ".join(notes)])
        rec["mip"] = {k: v for k, v in mip.items() if k != "chosen"}
        rec["mip"]["source"] = src
        rec["mip"]["ours_objective"] = ours_obj
    except Exception as e:  # noqa: BLE001
        traceback.print_exc(file=sys.stderr)
        mip_rows.append([inst.name, "–", "–", "–", "–", f"error: {str(e)[:300]}", "–", "–", "–", ""])
        rec["mip"] = {"error": str(e)}


def write_plan(inst, chosen, path, broken=False):
    where = {}
    for k, c in enumerate(chosen, 1):
        for v in c:
            where[v] = k
    if broken and chosen:  # move one unit of alliance 1 to alliance 2 and mark two leads in 1
        where[chosen[0][0]] = 2 if len(chosen) > 1 else 1
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["alliance", "code", "lead"])
        for v in range(inst.n):
            a = where.get(v)
            lead = a is not None and bool(inst.may_lead[v])
            if broken and a == 1:
                lead = True
            w.writerow(["" if a is None else a, inst.codes[v], "true" if lead else "false"])


def self_test(args):
    """No binary needed: a 6x6 lattice, candidates enumerated here, spopt, pygeoda, MIP, and the
    plan reader and checker on the MIP's own plan (must be 100% feasible, ratio 100%) and on a
    deliberately broken copy (must be caught)."""
    import itertools

    inst = lattice(6, args.seed)
    # Enumeration check against brute force over all 3-5 subsets of the 36 units.
    brute = []
    for k in range(MIN_SIZE, MAX_SIZE + 1):
        for c in itertools.combinations(range(inst.n), k):
            if all(region_flags(inst, list(c))):
                brute.append(c)
    mine = enumerate_candidates(inst)
    assert len(mine) == len(set(mine)), "enumeration produced duplicates"
    assert set(mine) == set(brute), (len(mine), len(brute))
    log(f"self-test: enumeration matches brute force ({len(mine)} candidates)")
    # Checker sanity on hand-made regions.
    ok = mine[0]
    assert evaluate(inst, [list(ok)])["feasible_all"] == 1
    assert evaluate(inst, [[0, 2, 4]])["feasible_spc"] == 0  # not connected
    # MIP: exact optimum on a tiny instance equals brute-force lexicographic optimum (4x3 lattice).
    tiny = lattice(4, args.seed + 1)
    tc = enumerate_candidates(tiny)
    by_unit = {v: [c for c in tc if v in c] for v in range(tiny.n)}

    def best_packing(v, used):
        while v < tiny.n and v in used:
            v += 1
        if v == tiny.n:
            return (0, 0, 0)
        best = best_packing(v + 1, used)  # v stays out
        for c in by_unit[v]:
            if c[0] == v and not used.intersection(c):
                t, a, h = best_packing(v + 1, used | set(c))
                best = max(best, (t + sum(int(tiny.target[u]) for u in c), a + 1,
                                  h - tiny.heterogeneity(c)))
        return best

    best = best_packing(0, frozenset())
    mt = solve_mip(tiny, tc, 30)
    assert decode(tiny, mt["objective"])[:2] == best[:2] and decode(tiny, mt["objective"])[2] == -best[2], (
        decode(tiny, mt["objective"]), best)
    log(f"self-test: MIP on 4x4 lattice = brute force {best} over {len(tc)} candidates")

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    write_cands(inst, mine, workdir / "selftest.cands.csv")
    rc, notes = read_cands(inst, workdir / "selftest.cands.csv")
    assert set(rc) == set(mine) and not notes, notes
    rows, mip_rows, results = [], [], []
    # 1. A stand-in binary (greedy packing over this file's enumeration) through the real
    #    subprocess / PLAN.csv / CANDS.csv / SUMMARY.json path, with spopt and pygeoda alongside.
    fake = workdir / "fake-xiangzhi"
    fake.write_text(FAKE_BINARY.format(python=sys.executable, here=Path(__file__).resolve().parent))
    fake.chmod(0o755)
    args.xiangzhi, args.skip_ours, args.fake_ours_plan = str(fake), False, None
    args.check_candidates = True
    run_instance(inst, args, workdir, rows, mip_rows, results)
    assert rows[0][2] == "xiangzhi plan" and rows[0][6] == "100.0%", rows[0]
    assert "independent enumeration" in mip_rows[0][-1] and "differ" not in mip_rows[0][-1], mip_rows[0]
    assert not args.skip_spopt or not args.skip_geoda or len(rows) == 1
    # 2. The MIP's own plan (must score 100%) and a broken copy (must be caught).
    args.skip_spopt = args.skip_geoda = True
    for variant in ("exact", "broken"):
        args.fake_ours_plan = variant
        run_instance(inst, args, workdir, rows, mip_rows, results)
    fk = [r for r in rows if r[2].startswith("fake plan")]
    assert fk[0][5] == "100.0%" and fk[0][6] == "100.0%", fk[0]
    assert fk[1][6] != "100.0%", fk[1]
    assert mip_rows[1][7] == "100.0000%", mip_rows[1]
    # 3. A file instance reads back identically.
    back = from_geojson(workdir / f"{inst.name}.geojson")
    assert back.adj == inst.adj and list(back.population) == list(inst.population)
    assert set(enumerate_candidates(back)) == set(mine)
    print_tables(rows, mip_rows)
    log("self-test: passed")


FAKE_BINARY = """#!{python}
# Stand-in for `xiangzhi plan` used by compare.py --self-test: greedy packing, same files.
import argparse, json, sys, time
sys.dont_write_bytecode = True
sys.path.insert(0, "{here}")
import compare
t0 = time.perf_counter()
ap = argparse.ArgumentParser()
ap.add_argument("cmd")
for k in ("--input", "--out", "--candidates", "--summary", "--seconds"):
    ap.add_argument(k)
a = ap.parse_args()
inst = compare.from_geojson(a.input)
t1 = time.perf_counter()
cands = compare.enumerate_candidates(inst)
compare.write_cands(inst, cands, a.candidates)
key = lambda c: (-sum(int(inst.target[v]) for v in c), inst.heterogeneity(c))
used, chosen = set(), []
for c in sorted(cands, key=key):
    if not used.intersection(c):
        used.update(c)
        chosen.append(c)
compare.write_plan(inst, chosen, a.out)
s = dict(villages=inst.n, candidates=len(cands), alliances=len(chosen),
         targets=int(inst.target.sum()), targets_placed=len([v for v in used if inst.target[v]]),
         heterogeneity=sum(inst.heterogeneity(c) for c in chosen),
         solve_seconds=time.perf_counter() - t1, total_seconds=time.perf_counter() - t0)
json.dump(s, open(a.summary, "w"))
"""


def print_tables(rows, mip_rows):
    print("## Methods\n")
    print(table(["instance", "units", "method", "wall s", "regions", "share feasible (size/pop/conn)",
                 "share feasible incl. one lead", "targets placed (in fully feasible regions)",
                 "heterogeneity (feasible regions)", "notes"],
                [[fmt(c) if isinstance(c, float) else c for c in r] for r in rows]))
    print("\n## MIP (set packing over the candidates, HiGHS)\n")
    print(table(["instance", "candidates", "MIP objective (t, a, h)", "bound", "MIP s", "status",
                 "ours (t, a, h)", "ours/MIP", "our wall s", "notes"], mip_rows))


def speed_table(results):
    """Times side by side: ours as the solver call alone (`solve_seconds` of the summary, the same
    scope as spopt's `solve()` and pygeoda's `maxp_greedy` calls) and as the whole process."""
    rows = []
    for r in results:
        ours = r.get("ours") or {}
        solve = (ours.get("summary") or {}).get("solve_seconds")
        wall = ours.get("wall")
        sp = (r.get("spopt MaxPHeuristic") or {}).get("seconds")
        gd = (r.get("pygeoda maxp_greedy") or {}).get("seconds")

        def ratio(a, b):
            return f"{a / b:.1f}×" if a and b else "–"

        def ms(x):
            return f"{x * 1000:.1f}" if x is not None else "–"

        rows.append([r["instance"], r["units"], ms(solve), ms(wall), fmt(sp), ms(gd),
                     ratio(sp, solve), ratio(sp, wall), ratio(gd, solve), ratio(gd, wall)])
    return table(["instance", "units", "ours solve ms", "ours process ms", "spopt s", "GeoDa ms",
                  "spopt ÷ ours (solve)", "spopt ÷ ours (process)", "GeoDa ÷ ours (solve)",
                  "GeoDa ÷ ours (process)"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xiangzhi", default=str(ROOT / "target/release/xiangzhi"))
    ap.add_argument("--only", action="append", help="run only this instance (repeatable); one of "
                    + ", ".join(instance_names()))
    ap.add_argument("--instance-file", action="append", default=[],
                    help="also run this GeoJSON instance (contract format; repeatable)")
    ap.add_argument("--skip-spopt", action="store_true")
    ap.add_argument("--skip-geoda", action="store_true")
    ap.add_argument("--skip-ours", action="store_true",
                    help="do not run xiangzhi; the MIP then uses this file's own enumeration")
    ap.add_argument("--mip-seconds", type=float, default=120, help="HiGHS time limit; 0 skips the MIP")
    ap.add_argument("--seconds", type=int, default=10, help="--seconds passed to xiangzhi plan")
    ap.add_argument("--repeat", type=int, default=5,
                    help="runs of xiangzhi plan and of pygeoda per instance; the median time is "
                         "reported (spopt runs once)")
    ap.add_argument("--method-timeout", type=float, default=1800,
                    help="seconds after which spopt/pygeoda is killed (default 1800)")
    ap.add_argument("--attrs", choices=["onehot", "code", "population"], default="onehot",
                    help="dissimilarity attributes for spopt/pygeoda (default: one-hot industry)")
    ap.add_argument("--check-candidates", action=argparse.BooleanOptionalAction, default=True,
                    help="compare our CANDS.csv with this file's independent enumeration (default on)")
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--workdir", default=str(ROOT / "target/bench-planner"))
    ap.add_argument("--json", help="also write all results to this JSON file")
    ap.add_argument("--self-test", action="store_true", help="test the harness without the binary")
    ap.add_argument("--report", metavar="FILE.json",
                    help="only print the speed table from a --json file of an earlier run")
    args = ap.parse_args()
    if args.report:
        with open(args.report, encoding="utf-8") as f:
            print(speed_table(json.load(f)))
        return
    args.fake_ours_plan = None
    if args.self_test:
        self_test(args)
        return
    names = args.only or ([] if args.instance_file else instance_names())
    for nm in names:
        if nm not in instance_names():
            ap.error(f"unknown instance {nm!r}; known: {', '.join(instance_names())}")
    if not args.skip_ours and not os.path.exists(args.xiangzhi):
        log(f"warning: {args.xiangzhi} not found; our rows will show the error")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    rows, mip_rows, results = [], [], []
    for nm in names:
        try:
            inst = make_instance(nm, args.seed)
        except Exception as e:  # noqa: BLE001
            rows.append([nm, "–", "(instance)", "–", "–", "–", "–", "–", "–", f"error: {e}"])
            continue
        run_instance(inst, args, workdir, rows, mip_rows, results)
    for path in args.instance_file:
        try:
            inst = from_geojson(path)
        except Exception as e:  # noqa: BLE001
            rows.append([path, "–", "(instance)", "–", "–", "–", "–", "–", "–", f"error: {e}"])
            continue
        run_instance(inst, args, workdir, rows, mip_rows, results)
    print_tables(rows, mip_rows)
    print("\n## Speed (× = how many times faster ours is; above 1 means ours is faster)\n")
    print(speed_table(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False, indent=1, default=str)


if __name__ == "__main__":
    main()
