"""``spheres-theory verify``: find the model in a weights file and certify it (private).

Called by :mod:`spheres_theory.cli`.  Reading is in :mod:`._readers`; this
module finds the model's arrays (names, nested checkpoints, ``module.`` /
``model.`` prefixes, two-logit readouts, W's orientation), builds the rule
(:class:`~spheres_theory.rules.QuadraticRule` for centred rules,
:class:`~spheres_theory.quadrics.QuadricRule` otherwise) and reports.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__: list[str] = []

HELP = """\
Certify a quadratic model on the two spheres: the verdict (perfect or not),
the margins and the error rates of both spheres.  WEIGHTS is read by its
content (never its extension):

  * a PyTorch file (torch.save of a state dict or a checkpoint such as
    {"state_dict": ..., "optimizer": ...}, Lightning .ckpt, .pth.tar; read with
    torch.load(weights_only=True), needs the torch extra);
  * a .npz file or a .npy file (a symmetric matrix A: the rule x^T A x > 1).

The model is found automatically where it is unambiguous: one hidden layer
(a 2-D weight, optional bias) and one readout (1 or 2 outputs, optional bias),
"module." / "model." prefixes stripped; or arrays named W, w, b (quad net
y = sum_j w_j ((W x + beta)_j)^2 + b, optional beta), A (optional l, c: the
rule x^T A x + l^T x + c > 0), scikit-learn QDA (means_, rotations_,
scalings_, priors_) or PolynomialFeatures(degree=2) + linear classifier
(powers_, coef_, intercept_), saved with np.savez.  Otherwise the arrays are
listed and --keys maps them, with dotted paths, e.g.
--keys W=state_dict.layer1.weight,w=state_dict.readout.weight,b=...

Nothing is ignored: every array is used or listed as unused; an unused array
of the model (not training state such as the optimizer) could change the
rule, so it is an error (exit 2) unless --allow-unused.  A two-logit readout
is replaced by its logit difference (said in the output).
--positive-class inner says the model's positive output means "inner".

Centred rules (no hidden bias, no linear term) get exact error rates (and
the paper's CLT estimate beside them); rules with a linear term get an exact
verdict (trust-region extremes of the quadric over each sphere) and
*estimated* error rates with a confidence interval.  The JSON says which
numbers are exact.  A margin below the precision of the stored weights
(e.g. float32) is warned about: the model's own forward pass may then
decide differently.

Exit code: 0 perfect, 1 not perfect (or undecided within rounding), 2
unreadable or invalid input (one line on stderr).
"""

_TRAINING = frozenset(
    "optimizer optimizers optimizer_states optimizer_state_dict lr_schedulers "
    "lr_scheduler scheduler schedulers epoch global_step step callbacks loops "
    "hyper_parameters hparams loss best_loss scaler amp".split()
)
_CONTAINERS = ("state_dict", "model_state_dict", "model", "net", "module")
_ROLES = ("W", "w", "b", "beta", "A", "l", "c")
_EPS = {"float32": 2.0**-23, "float16": 2.0**-10, "bfloat16": 2.0**-7}


class UsageError(ValueError):
    """Bad command-line input: reported as one line, exit code 2."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add verify's arguments to its sub-parser.

    Parameters
    ----------
    p : ArgumentParser
        The ``verify`` sub-parser.
    """
    p.add_argument("weights", nargs="?", metavar="WEIGHTS", help="model file")
    p.add_argument(
        "--example",
        action="store_true",
        help="verify the example quad net shipped with the package (d = 500)",
    )
    p.add_argument(
        "--outer-radius",
        type=float,
        default=1.3,
        metavar="R",
        help="radius of the outer sphere (default 1.3)",
    )
    p.add_argument(
        "--keys",
        default=None,
        metavar="MAP",
        help="array names (dotted paths), e.g. W=layer1.weight,w=readout.weight,"
        "b=readout.bias (roles W, w, b, beta, A, l, c)",
    )
    p.add_argument("--dim", type=int, default=None, help="input dimension (checks W)")
    p.add_argument(
        "--positive-class",
        choices=("outer", "inner"),
        default="outer",
        help="which sphere the model's positive output means (default outer)",
    )
    p.add_argument(
        "--allow-unused",
        action="store_true",
        help="accept model arrays that are not part of the rule (listed)",
    )
    p.add_argument(
        "--alphas",
        metavar="FILE",
        help="write every alpha to FILE (.npy or .csv)",
    )
    p.add_argument(
        "--basis",
        action="store_true",
        help="with --alphas: also write the eigenbasis to FILE_basis.npy/.csv",
    )
    p.add_argument(
        "--n-samples",
        type=int,
        default=200_000,
        help="samples per estimate (rules with a linear term; default 200000)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the estimates")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def one_line(exc: BaseException) -> str:
    """Return an exception's message on one line (300 characters at most).

    Parameters
    ----------
    exc : BaseException
        The exception.

    Returns
    -------
    str
    """
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError) or not text:
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _parse_keys(spec: str | None) -> dict[str, str]:
    if spec is None:
        return {}
    keys: dict[str, str] = {}
    for item in spec.split(","):
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or name not in _ROLES or not value:
            msg = (
                "--keys must look like W=NAME,w=NAME,b=NAME (roles "
                f"{', '.join(_ROLES)}); got {spec!r}."
            )
            raise UsageError(msg)
        if name in keys:
            msg = f"--keys must name each role at most once; got {spec!r}."
            raise UsageError(msg)
        keys[name] = value
    return keys


# --- finding the model ------------------------------------------------------


@dataclass
class Model:
    """The arrays of the model, by role, and what was said about them."""

    kind: str  # "quad net", "matrix", "qda", "polynomial"
    arrays: dict[str, np.ndarray]
    names: dict[str, str]  # role -> name in the file
    notes: list[str] = field(default_factory=list)
    unused_training: list[str] = field(default_factory=list)
    unused_model: list[str] = field(default_factory=list)
    dtypes: dict[str, str] = field(default_factory=dict)


def _strip(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in ("module.", "model.", "_orig_mod."):
            if name.startswith(prefix):
                name, changed = name[len(prefix) :], True
    return name


def _split(arrays: dict[str, np.ndarray]) -> tuple[dict[str, str], list[str]]:
    """Map stripped model names to file names; list training-state names."""
    training = [n for n in arrays if n.split(".")[0] in _TRAINING]
    model = [n for n in arrays if n not in training]
    for box in _CONTAINERS:
        if model and all(n.startswith(box + ".") for n in model):
            break
    else:
        box = None
    if box is None:  # a checkpoint with one container among other entries
        inside = [b for b in _CONTAINERS if any(n.startswith(b + ".") for n in model)]
        if (
            len(inside) == 1
            and box is None
            and inside[0] in ("state_dict", "model_state_dict")
        ):
            box = inside[0]
            training += [n for n in model if not n.startswith(box + ".")]
            model = [n for n in model if n.startswith(box + ".")]
    mapping: dict[str, str] = {}
    for n in model:
        short = n[len(box) + 1 :] if box and n.startswith(box + ".") else n
        short = _strip(short)
        if short in mapping:
            msg = f"two arrays map to the name {short!r}: {mapping[short]!r} and {n!r}."
            raise UsageError(msg)
        mapping[short] = n
    return mapping, training


def _listing(arrays: dict[str, np.ndarray]) -> str:
    items = [f"{n} {tuple(a.shape)}" for n, a in sorted(arrays.items())]
    text = ", ".join(items) or "none"
    return text if len(text) <= 200 else text[:197] + "..."


def _by_names(short: dict[str, str], keys: dict[str, str], arrays) -> Model | None:
    """Named roles: --keys, or the conventional names W/w/b/A, QDA, polynomial."""

    def find(name: str) -> str | None:
        if name in arrays:
            return name
        return short.get(_strip(name))

    if keys:
        roles = {}
        for role, name in keys.items():
            found = find(name)
            if found is None:
                msg = (
                    f"--keys names {name!r} for {role}, which is not in the file; "
                    f"arrays: {_listing(arrays)}."
                )
                raise UsageError(msg)
            roles[role] = found
        if {"W", "w", "b"} <= roles.keys():
            return Model("quad net", {r: arrays[n] for r, n in roles.items()}, roles)
        if "A" in roles:
            return Model("matrix", {r: arrays[n] for r, n in roles.items()}, roles)
        msg = "--keys must name W, w and b (a quad net) or A (a matrix)."
        raise UsageError(msg)
    plain = {k.rstrip("_"): v for k, v in short.items()}
    for kind, need, optional in (
        ("qda", ("means", "rotations", "scalings", "priors"), ()),
        ("polynomial", ("powers", "coef", "intercept"), ()),
        ("quad net", ("W", "w", "b"), ("beta",)),
        ("matrix", ("A",), ("l", "c")),
    ):
        if all(r in plain for r in need):
            roles = {r: plain[r] for r in need + optional if r in plain}
            return Model(kind, {r: arrays[n] for r, n in roles.items()}, roles)
    return None


def _by_layers(short: dict[str, str], arrays) -> Model | None:
    """Two Linear layers: a hidden one and a readout with 1 or 2 outputs."""
    layers = {
        n[: -len(".weight")]: n
        for n in short
        if n.endswith(".weight") and arrays[short[n]].ndim == 2
    }
    if len(layers) != 2:
        return None
    (p1, w1), (p2, w2) = layers.items()
    s1, s2 = arrays[short[w1]].shape, arrays[short[w2]].shape
    picks = []
    for hid, out, sh, so in ((p1, p2, s1, s2), (p2, p1, s2, s1)):
        if so[0] in (1, 2) and so[1] == sh[0]:
            picks.append((hid, out))
    if len(picks) != 1:
        return None
    hid, out = picks[0]
    roles = {"W": short[f"{hid}.weight"], "w": short[f"{out}.weight"]}
    if f"{out}.bias" in short:
        roles["b"] = short[f"{out}.bias"]
    if f"{hid}.bias" in short:
        roles["beta"] = short[f"{hid}.bias"]
    model = Model("quad net", {r: arrays[n] for r, n in roles.items()}, roles)
    model.notes.append(
        f"found the quad net: hidden layer {hid!r}, readout {out!r} "
        "(PyTorch Linear layout)"
    )
    model.notes.append("layout: torch")
    return model


def find_model(wf: Any, keys: dict[str, str]) -> Model:
    """Find the model's arrays in a read file.

    Parameters
    ----------
    wf : WeightFile
        What :func:`._readers.read` returned.
    keys : dict
        Role -> name from --keys.

    Returns
    -------
    Model

    Raises
    ------
    UsageError
        When the model is ambiguous or missing (the arrays are listed).
    """
    arrays = wf.arrays
    short, training = _split(arrays)
    model = _by_names(short, keys, arrays) or _by_layers(short, arrays)
    if model is None:
        msg = (
            f"{wf.source}: cannot tell the model's arrays apart; found "
            f"[{_listing(arrays)}]; map them with --keys (e.g. "
            "W=layer1.weight,w=readout.weight,b=readout.bias, or A=NAME)."
        )
        raise UsageError(msg)
    used = set(model.names.values())
    # text entries (e.g. ``kind`` written by spheres_theory.training) are
    # metadata: they cannot change the rule
    meta = [n for n in arrays if np.asarray(arrays[n]).dtype.kind in "USO"]
    training = training + [n for n in meta if n not in training]
    kind = str(arrays["kind"]) if "kind" in meta and arrays["kind"].ndim == 0 else ""
    if kind.lower() == "quadnet" and model.kind == "quad net":
        model.notes.append("layout: torch")  # spheres_theory's QuadNet: (hidden, dim)
    model.unused_training = sorted(n for n in training if n not in used)
    model.unused_model = sorted(
        n for n in arrays if n not in used and n not in training
    )
    model.dtypes = {r: wf.dtypes.get(n, "float64") for r, n in model.names.items()}
    return model


# --- from arrays to a rule -------------------------------------------------


def _orient(model: Model, dim: int | None) -> None:
    """Check (or fix, where unambiguous) the orientation of W."""
    W = np.asarray(model.arrays["W"])
    if W.ndim != 2 or W.size == 0 or not np.issubdtype(W.dtype, np.number):
        return  # the rule's own check reports it
    w = np.asarray(model.arrays["w"])
    hidden = None
    if w.ndim == 2 and w.shape[0] in (1, 2):
        hidden = w.shape[1]
    elif w.size > 1:
        hidden = w.size
    if "beta" in model.arrays and hidden is None:
        hidden = np.asarray(model.arrays["beta"]).size
    torch_layout = "layout: torch" in model.notes
    rows, cols = W.shape
    transpose = False
    if dim is not None:
        if cols == dim and (hidden is None or rows == hidden):
            pass
        elif rows == dim and (hidden is None or cols == hidden) and rows != cols:
            transpose = True
        else:
            msg = (
                f"--dim {dim} does not match W of shape {W.shape} (expected "
                f"(hidden, {dim}), or ({dim}, hidden) for the transposed layout)."
            )
            raise UsageError(msg)
    elif rows != cols:
        if hidden is not None and rows == hidden:
            pass
        elif hidden is not None and cols == hidden:
            transpose = True
        elif not torch_layout:
            msg = (
                f"W has shape {W.shape} and the readout does not tell which axis is "
                "the input: the orientation is ambiguous; give --dim."
            )
            raise UsageError(msg)
    if transpose:
        model.arrays["W"] = W.T
        model.notes.append(f"W of shape {W.shape} read as (dim, hidden): transposed")


def _readout(model: Model) -> None:
    """Two logits become their difference; a missing readout bias is 0."""
    w = np.asarray(model.arrays["w"])
    b = np.asarray(model.arrays.get("b", 0.0))
    if w.ndim == 2 and w.shape[0] == 2:
        model.arrays["w"] = w[1] - w[0]
        if b.size == 2:
            b = b.reshape(-1)
            model.arrays["b"] = b[1] - b[0]
        model.notes.append(
            "two-logit readout: the score is the logit difference (class 1 minus "
            "class 0); class 1 is the positive class"
        )
    if "b" not in model.arrays:
        model.arrays["b"] = np.asarray(0.0)
        model.notes.append("the readout has no bias: b = 0")


def build_rule(model: Model, positive: str) -> Any:
    """Build the rule: QuadraticRule if centred, else QuadricRule.

    Parameters
    ----------
    model : Model
        Found arrays.
    positive : {"outer", "inner"}
        What the model's positive output means.

    Returns
    -------
    QuadraticRule or QuadricRule
    """
    from .quadrics import QuadricRule
    from .rules import QuadraticRule

    a = model.arrays
    sign = 1.0 if positive == "outer" else -1.0
    if model.kind == "quad net":
        beta = a.get("beta")
        if beta is not None and not np.any(np.asarray(beta, dtype=float)):
            model.notes.append("the hidden bias is exactly 0: the rule is centred")
            beta = None
        if beta is None:
            w = np.asarray(a["w"], dtype=np.float64)
            if w.ndim == 2:
                w = w.reshape(-1)
            return QuadraticRule.from_quad_net(
                a["W"], sign * w, sign * np.asarray(a["b"], dtype=float)
            )
        w = np.asarray(a["w"], dtype=np.float64)
        return QuadricRule.from_quad_net(
            a["W"],
            sign * (w.reshape(-1) if w.ndim == 2 else w),
            sign * np.asarray(a["b"], dtype=float),
            hidden_bias=beta,
        )
    if model.kind == "matrix":
        A = np.asarray(a["A"])
        if "l" not in a and "c" not in a:
            if sign > 0:
                return QuadraticRule.from_matrix(A)
            rule = QuadricRule.from_matrix(-_as_real(A, "A"), None, 1.0)
            return rule.to_quadratic_rule()
        c = np.asarray(a.get("c", -1.0), dtype=float)
        rule = QuadricRule.from_matrix(A, a.get("l"), c)
    elif model.kind == "qda":
        rule = QuadricRule.from_qda(
            a["means"], a["rotations"], a["scalings"], a["priors"]
        )
    else:
        rule = QuadricRule.from_polynomial(a["powers"], a["coef"], a["intercept"])
    if sign < 0:
        rule = QuadricRule(
            -rule.alphas,
            rule.basis,
            -rule.linear,
            -rule.offset,
            alpha_error=rule.alpha_error,
        )
    return rule.to_quadratic_rule() if rule.centred else rule


def _as_real(A: np.ndarray, name: str) -> np.ndarray:
    from ._arrays import as_real_array

    return as_real_array(A, name)


# --- output -----------------------------------------------------------------


def write_alphas(path: str, rule: Any, with_basis: bool) -> list[str]:
    """Write every α (and the basis) to .npy or .csv; return the files written.

    Parameters
    ----------
    path : str
        Target file (its suffix picks the format).
    rule : QuadraticRule or QuadricRule
        The rule.
    with_basis : bool
        Also write the basis beside it.

    Returns
    -------
    list of str
    """
    from pathlib import Path

    p = Path(path)
    fmt = p.suffix.lower()
    if fmt not in (".npy", ".csv"):
        msg = f"--alphas must name a .npy or .csv file; got {path!r}."
        raise UsageError(msg)
    basis = rule.basis if rule.basis is not None else np.eye(rule.dim)
    items = [(p, np.asarray(rule.alphas))]
    if with_basis:
        items.append((p.with_name(p.stem + "_basis" + fmt), np.asarray(basis)))
    written = []
    for target, arr in items:
        try:
            if fmt == ".npy":
                np.save(target, arr, allow_pickle=False)
            else:
                np.savetxt(
                    target,
                    np.atleast_2d(arr) if arr.ndim == 2 else arr,
                    delimiter=",",
                    fmt="%.17g",
                )
        except OSError as exc:
            msg = f"cannot write {target}: {exc.strerror or exc}"
            raise UsageError(msg) from None
        written.append(str(target))
    return written


def precision_of(model: Model) -> tuple[str, float]:
    """Return the narrowest stored float dtype of the arrays and its epsilon.

    Parameters
    ----------
    model : Model
        Found arrays.

    Returns
    -------
    (str, float)
        dtype name and unit roundoff (0 for float64).
    """
    best = ("float64", 0.0)
    for d in model.dtypes.values():
        e = _EPS.get(d, 0.0)
        if e > best[1]:
            best = (d, e)
    return best


def finite_or_none(x: float) -> float | None:
    """Return x as a float, or None when it is not finite (for JSON).

    Parameters
    ----------
    x : float
        Number.

    Returns
    -------
    float or None
    """
    x = float(x)
    return x if math.isfinite(x) else None


# --- the report ---------------------------------------------------------------


def _load(args: argparse.Namespace) -> tuple[str, Any]:
    from importlib import resources

    from . import _readers

    if args.example == (args.weights is not None):
        msg = "give exactly one of WEIGHTS and --example."
        raise UsageError(msg)
    if args.example:
        ref = resources.files("spheres_theory") / "data" / "example_quadnet.npz"
        with resources.as_file(ref) as path:
            wf = _readers.read(str(path))
        wf.source = "example_quadnet.npz"
        return "example_quadnet.npz", wf
    try:
        return str(args.weights), _readers.read(str(args.weights))
    except _readers.ReadError as exc:
        raise UsageError(one_line(exc)) from None


def _prob(p: Any) -> dict:
    value, log10 = float(p.value), float(p.log10_value)
    err = float(p.error_estimate)
    return {
        "value": value if math.isfinite(value) else None,  # None: not computed
        "log10_value": log10 if math.isfinite(log10) else None,  # None: 0 or NaN
        "method": str(p.method),
        "exact": p.method in ("exact", "mpmath") and bool(p.accurate),
        "accurate": bool(p.accurate) and math.isfinite(value),
        "error_estimate": err if math.isfinite(err) else None,
    }


def _estimate(p: Any) -> dict:
    return {
        "value": finite_or_none(p.value),
        "log10_value": finite_or_none(p.log10_value),
        "method": p.method,
        "exact": bool(p.exact),
        "accurate": bool(p.exact),
        "error_estimate": None,
        "ci_low": finite_or_none(p.ci_low),
        "ci_high": finite_or_none(p.ci_high),
        "confidence": finite_or_none(p.confidence),
        "n_samples": int(p.n_samples),
    }


def _shapes(model: Model) -> str:
    return ", ".join(
        f"{r} {tuple(np.shape(a)) or 'scalar'}" for r, a in model.arrays.items()
    )


def build_report(args: argparse.Namespace) -> dict:
    """Read, build and certify; return the JSON-ready report.

    Parameters
    ----------
    args : Namespace
        Parsed arguments.

    Returns
    -------
    dict
    """
    import warnings

    from ._validation import check_outer_radius
    from .errors import AccuracyWarning
    from .rules import QuadraticRule
    from .sphere import ConcentricSpheres

    outer_radius = check_outer_radius(args.outer_radius, "--outer-radius")
    try:
        ConcentricSpheres(2, outer_radius=outer_radius)
    except ValueError as exc:
        raise UsageError(str(exc).replace("`outer_radius`", "--outer-radius")) from None
    if args.dim is not None and args.dim < 2:
        raise UsageError(f"--dim must be an integer >= 2; got {args.dim}.")
    if args.n_samples < 1000:
        raise UsageError(f"--n-samples must be >= 1000; got {args.n_samples}.")
    if args.basis and not args.alphas:
        raise UsageError("--basis needs --alphas FILE.")
    keys = _parse_keys(args.keys)
    source, wf = _load(args)
    model = find_model(wf, keys)
    if model.unused_model and not args.allow_unused:
        msg = (
            f"{source}: arrays not used by the rule could change it: "
            f"{', '.join(model.unused_model)[:200]}; map them with --keys "
            "(e.g. beta=NAME for a hidden bias) or pass --allow-unused."
        )
        raise UsageError(msg)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if model.kind == "quad net":
                _orient(model, args.dim)
                _readout(model)
            shapes = _shapes(model)
            rule = build_rule(model, args.positive_class)
            if args.dim is not None and rule.dim != args.dim:
                msg = (
                    f"--dim {args.dim} does not match the model's dimension {rule.dim}."
                )
                raise UsageError(msg)
            spheres = ConcentricSpheres(rule.dim, outer_radius=outer_radius)
    except UsageError:
        raise
    except Warning as exc:
        msg = f"numerical problem in the model ({type(exc).__name__}: {exc})"
        raise UsageError(one_line(Exception(msg))) from None
    except Exception as exc:
        raise UsageError(one_line(exc)) from None
    notes = [n for n in model.notes if not n.startswith("layout:")]
    if args.positive_class == "inner":
        notes.append("--positive-class inner: the model's positive output means inner")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", AccuracyWarning)
        if isinstance(rule, QuadraticRule):
            body = _centred(rule, spheres, model)
        else:
            body = _non_centred(rule, spheres, model, args)
    body["warnings"] += list(
        dict.fromkeys(
            one_line(Exception(f"{w.category.__name__}: {w.message}")) for w in caught
        )
    )
    files = write_alphas(args.alphas, rule, args.basis) if args.alphas else []
    report = {
        "source": source,
        "format": wf.format,
        "model": f"{model.kind}: {shapes}",
        "arrays": {
            "used": {r: n for r, n in model.names.items()},
            "unused_training_state": model.unused_training,
            "unused_model": model.unused_model,
            "non_array_entries": sorted(wf.other),
        },
        "notes": notes,
        "dim": rule.dim,
        "outer_radius": outer_radius,
        "positive_class": args.positive_class,
        **body,
        "alphas_written": files,
    }
    return report


def _centred(rule: Any, spheres: Any, model: Model) -> dict:
    from .errors import InaccurateResultError, SolverError

    try:
        cert = rule.certify(spheres)
        clt = {
            s: _prob(rule.error_rate(spheres, sphere=s, method="clt"))
            for s in ("inner", "outer")
        }
    except (ArithmeticError, ValueError, InaccurateResultError, SolverError) as exc:
        msg = f"could not compute the error rates: {one_line(exc)}"
        raise UsageError(msg) from None
    report = cert.alphas
    warn: list[str] = []
    dtype, eps = precision_of(model)
    hidden = np.shape(model.arrays.get("W", np.zeros((rule.dim, rule.dim))))[0]
    scale = float(np.max(np.abs(rule.alphas)))
    bound = max(rule.alpha_error, eps * (rule.dim + hidden) * scale)
    closest = min(abs(cert.upper_margin), abs(cert.lower_margin))
    below = bool(closest <= bound) and report.lower <= report.upper
    if below:
        warn.append(
            f"a margin ({closest:.3g}) is below the precision of the stored weights "
            f"({dtype}, bound {bound:.3g}): the model's own forward pass may decide "
            "differently; the verdict depends on rounding"
        )
    if cert.perfect and not (below or cert.rounding_sensitive):
        verdict = "PERFECT: every alpha lies in the band; both exact error rates are 0"
        perfect: bool | None = True
    elif cert.perfect or (below and cert.alphas.n_bad == 0):
        verdict = "UNDECIDED: perfect only up to rounding (a margin is below precision)"
        perfect = None
    elif report.n_bad == 0:
        verdict = (
            "NOT PERFECT: every alpha equals the lower end of the band, so the "
            "whole outer sphere lies on the boundary (labelled inner)"
        )
        perfect = False
    else:
        verdict = (
            f"NOT PERFECT: {report.n_above} alpha above the band (inner errors), "
            f"{report.n_below} below it (outer errors)"
        )
        perfect = False
    rates = {"inner": _prob(cert.inner_error), "outer": _prob(cert.outer_error)}
    for s, bounds in (
        ("inner", cert.inner_error_bounds),
        ("outer", cert.outer_error_bounds),
    ):
        if bounds is not None:
            rates[s]["exact"] = False
            rates[s]["bounds"] = [finite_or_none(b.value) for b in bounds]
    return {
        "rule_kind": "centred",
        "rule": f"{rule.kind}: inner iff sum(alpha_i z_i^2) <= {rule.threshold:g}",
        "kind": rule.kind,
        "threshold": rule.threshold,
        "alphas": {
            "min": float(cert.min_alpha),
            "max": float(cert.max_alpha),
            "band": [report.lower, report.upper],
            "band_empty": report.lower > report.upper,
            "n_below": report.n_below,
            "n_above": report.n_above,
            "n_near_zero": report.n_near_zero,
            "n_bad": report.n_bad,
            "alpha_error": rule.alpha_error,
        },
        "margins": {"upper": cert.upper_margin, "lower": cert.lower_margin},
        "precision": {
            "dtype": dtype,
            "bound": bound,
            "margin_below_precision": below,
        },
        "exact": {
            "verdict": perfect is not None,
            "error_rates": all(r["exact"] for r in rates.values()),
        },
        "error_rates": rates,
        "clt": clt,
        "perfect": perfect,
        "verdict": verdict,
        "warnings": warn,
    }


def _non_centred(
    rule: Any, spheres: Any, model: Model, args: argparse.Namespace
) -> dict:
    cert = rule.certify(spheres, n_samples=args.n_samples, rng=args.seed)
    hi, lo = cert.inner_max, cert.outer_min
    dtype, eps = precision_of(model)
    R = spheres.outer_radius
    scale = (
        float(np.max(np.abs(rule.alphas))) * R * R
        + float(np.linalg.norm(rule.linear)) * R
        + abs(rule.offset)
    )
    bound = eps * rule.dim * scale
    warn = []
    closest = min(abs(hi.value), abs(lo.value))
    below = bool(closest <= bound)
    if below:
        warn.append(
            f"an extreme of the score ({closest:.3g}) is below the precision of the "
            f"stored weights ({dtype}, bound {bound:.3g}): the verdict depends "
            "on rounding"
        )
    perfect = None if below and cert.perfect else cert.perfect
    if perfect is True:
        verdict = "PERFECT: the quadric is < 0 on the inner and > 0 on the outer sphere"
    elif perfect is None:
        verdict = "UNDECIDED: an extreme of the quadric lies within rounding of 0"
    else:
        parts = []
        if cert.inner_errors:
            parts.append("inner errors (max on the inner sphere > 0)")
        if cert.outer_errors:
            parts.append("outer errors (min on the outer sphere <= 0)")
        verdict = "NOT PERFECT: " + ", ".join(parts)
    rates = {"inner": _estimate(cert.inner_error), "outer": _estimate(cert.outer_error)}
    return {
        "rule_kind": "non-centred",
        "rule": "quadric: outer iff x^T A x + l^T x + c > 0",
        "kind": "non-centred quadric",
        "alphas": {
            "min": float(rule.alphas.min()),
            "max": float(rule.alphas.max()),
            "linear_norm": float(np.linalg.norm(rule.linear)),
            "offset": float(rule.offset),
        },
        "extremes": {
            "inner_max": [hi.lower, hi.upper],
            "outer_min": [lo.lower, lo.upper],
            "hard_case": [hi.hard_case, lo.hard_case],
        },
        "precision": {"dtype": dtype, "bound": bound, "margin_below_precision": below},
        "exact": {
            "verdict": perfect is not None,
            "error_rates": all(r["exact"] for r in rates.values()),
        },
        "error_rates": rates,
        "perfect": perfect,
        "verdict": verdict,
        "warnings": warn,
    }


def run(args: argparse.Namespace) -> int:
    """Run ``verify``; return the exit code.

    Parameters
    ----------
    args : Namespace
        Parsed arguments.

    Returns
    -------
    int
        0 perfect, 1 not perfect or undecided.
    """
    import json

    from ._verify_text import text

    report = build_report(args)
    if args.json:
        print(json.dumps(report, indent=2, allow_nan=False))  # noqa: T201
    else:
        print(text(report))  # noqa: T201
    return 0 if report["perfect"] is True else 1
