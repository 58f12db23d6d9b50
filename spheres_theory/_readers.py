r"""Read weight files by content, never by extension, and never unpickle (private).

Formats, told apart by their first bytes and, for zip files, their members:

* NumPy ``.npy`` (magic ``\x93NUMPY``) and ``.npz`` (a zip of ``.npy``
  members): ``numpy.load(allow_pickle=False)``;
* PyTorch archives (a zip with a ``data.pkl`` member: ``torch.save``'s format,
  also Lightning ``.ckpt`` and ``.pth.tar`` files) and legacy PyTorch files (a
  pickle starting with torch's magic number): ``torch.load(weights_only=True,
  map_location="cpu")``, which refuses every object that is not a tensor or a
  plain container; any other pickle is refused unread.

Nested checkpoints are flattened to dotted names (``state_dict.layer1.weight``).
Arrays keep their stored dtype (bfloat16 tensors become float32, exactly) and
the dtype's name is recorded, so that the caller can compare margins with the
precision the weights were stored in.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__: list[str] = []

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK\x03\x04"
# torch's legacy serialisation: pickle protocol 2, then the pickled magic
# number 0x1950a86a20f9469cfc6c as a 10-byte LONG1
_TORCH_LEGACY = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"


class ReadError(ValueError):
    """A weights file that cannot be read: the message is one line."""


@dataclass
class WeightFile:
    """Arrays of one file under dotted names, with their stored dtypes."""

    source: str
    format: str
    arrays: dict[str, np.ndarray]
    dtypes: dict[str, str] = field(default_factory=dict)
    other: dict[str, str] = field(default_factory=dict)  # non-array leaves


def sniff(path: str) -> str:
    """Name the format of ``path`` from its content.

    Parameters
    ----------
    path : str
        File to inspect.

    Returns
    -------
    str
        ``"npy"``, ``"npz"``, ``"torch"``, ``"torch-legacy"``, ``"pickle"``,
        ``"zip"`` (another zip) or ``"unknown"``.

    Raises
    ------
    ReadError
        If the file cannot be opened.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(32)
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise ReadError(msg) from None
    if head.startswith(_NPY_MAGIC):
        return "npy"
    if head.startswith(_TORCH_LEGACY):
        return "torch-legacy"
    if head[:1] == b"\x80":
        return "pickle"
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError, EOFError):
            return "unknown"
        if any(n.endswith("data.pkl") for n in names):
            return "torch"
        if names and all(n.endswith(".npy") for n in names):
            return "npz"
        return "zip"
    return "unknown"


def read(path: str) -> WeightFile:
    """Read every array of a weights file (see the module notes).

    Parameters
    ----------
    path : str
        The file.

    Returns
    -------
    WeightFile

    Raises
    ------
    ReadError
        With a one-line reason for anything unreadable.
    """
    fmt = sniff(path)
    if fmt in ("npy", "npz"):
        return _read_numpy(path, fmt)
    if fmt in ("torch", "torch-legacy"):
        return _read_torch(path, fmt)
    if fmt == "pickle":
        msg = (
            f"cannot read {path}: a Python pickle, not a NumPy file nor a "
            "PyTorch file readable with weights_only=True (pickled data is "
            "never unpickled)."
        )
        raise ReadError(msg)
    what = (
        "a zip file that is neither .npz nor a PyTorch archive"
        if fmt == "zip"
        else (
            "not a NumPy .npy/.npz file nor a PyTorch file (the format is read "
            "from the content, not the extension)"
        )
    )
    raise ReadError(f"cannot read {path}: {what}.")


def _read_numpy(path: str, fmt: str) -> WeightFile:
    try:
        with open(path, "rb") as fh:
            loaded = np.load(fh, allow_pickle=False)
            if isinstance(loaded, np.ndarray):
                arrays = {"A": loaded}
            else:
                with loaded as data:
                    arrays = {n: data[n] for n in data.files}
    except Exception as exc:
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        if "pickle" in reason.lower():
            reason = "an object array (pickled data is never loaded)"
        msg = f"cannot read {path}: {reason}"
        raise ReadError(msg) from None
    dtypes = {k: str(v.dtype) for k, v in arrays.items()}
    return WeightFile(path, fmt, arrays, dtypes)


_MODEL_HINT = (
    "pickled objects are never unpickled; for a model saved with "
    "torch.save(model), save model.state_dict() instead"
)


def _read_torch(path: str, fmt: str) -> WeightFile:
    import warnings

    with warnings.catch_warnings():
        # torch's own warnings (pickle protocol notes) are not ours to show:
        # whatever goes wrong is reported in one line below.
        warnings.simplefilter("ignore")
        try:
            import torch
        except ImportError:
            msg = (
                f"reading {path} (a PyTorch file) needs PyTorch: install the "
                "torch extra."
            )
            raise ReadError(msg) from None
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            text = str(exc)
            if "Unsupported global" in text or "torch.nn" in text:
                hint = _MODEL_HINT
            else:
                hint = "arbitrary pickles are never loaded"
            # never suggest weights_only=False: it would run code from the file
            msg = (
                f"cannot read {path}: not a state dict readable with "
                f"weights_only=True ({hint})."
            )
            raise ReadError(msg) from None
    if isinstance(state, torch.nn.Module):  # pragma: no cover - refused above
        raise ReadError(f"cannot read {path}: {_MODEL_HINT}.")
    if not isinstance(state, dict):
        msg = f"{path} is not a state dict (got {type(state).__name__})."
        raise ReadError(msg)
    out = WeightFile(path, fmt, {}, {})
    _flatten(state, "", out, torch)
    return out


def _flatten(obj: Any, prefix: str, out: WeightFile, torch: Any) -> None:
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, torch.Tensor):
            t = value.detach().cpu()
            dtype = str(t.dtype).removeprefix("torch.")
            if t.is_complex():
                arr = t.numpy()
            elif t.dtype in (torch.bfloat16,) or "float8" in dtype:
                arr = t.float().numpy()  # exact
            else:
                arr = t.numpy()
            out.arrays[name] = arr
            out.dtypes[name] = dtype
        elif isinstance(value, dict):
            _flatten(value, name + ".", out, torch)
        elif (
            isinstance(value, list | tuple)
            and all(isinstance(v, torch.Tensor | dict) for v in value)
            and value
        ):
            _flatten(dict(enumerate(value)), name + ".", out, torch)
        elif isinstance(value, bool | int | float) and not isinstance(value, bool):
            out.arrays[name] = np.asarray(value)
            out.dtypes[name] = "python"
        else:
            out.other[name] = type(value).__name__
