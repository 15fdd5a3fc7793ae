"""grokdiff's DiT as a PyTorch module: the architecture a checkpoint must implement to be judged by grokdiff.

Copy this file into your project (it needs only torch and numpy). Its state_dict() is exactly the PyTorch layout
that `grokdiff import` reads and `grokdiff export --layout pytorch` writes; docs/BRING-YOUR-OWN.md specifies every
tensor, formula and convention below, and src/model/dit.ts is the same model in grokdiff. Grown from
bench/peer/dit_peer.py (the benchmark's re-implementation of the model).

    model = GrokdiffDit(config["model"])          # config: the JSON config of docs/BRING-YOUR-OWN.md
    x0_hat = model(xa, xb, xt, t)                 # [B, S*S] each, t [B] in [0, 1] (1 = pure noise)
    export(model, config, "m.safetensors")        # writes m.safetensors (with reference.x0hat) and m.config.json

Also a command line, used by grokdiff's tests (fixtures/pytorch/):
    python3 grokdiff_dit.py init --config C.json --out F.safetensors [--seed S]   a freshly initialised module
    python3 grokdiff_dit.py verify F.safetensors --config C.json [--same-as G.safetensors]
        loads F into the module (strict), prints max |x0_hat - reference.x0hat| on the reference input as JSON,
        and with --same-as the largest weight difference from G.
"""
import argparse
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ---- conventions (docs/BRING-YOUR-OWN.md) ------------------------------------------------------------------
PIXEL_RANGE = (-1.0, 1.0)  # pixel values; background (no ink) = -1
LAYERNORM_EPS = 1e-5
TIME_SCALE = 1000.0  # t in [0, 1] is multiplied by 1000 before the sinusoidal features
REFERENCE_T = [0.95, 0.6, 0.3, 0.05]
REFERENCE_TENSOR = "reference.x0hat"
CONFIG_FORMAT = "grokdiff-pytorch-v1"


def gelu(x):
    """Exact GeLU: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (not the tanh approximation)."""
    return F.gelu(x)


def norm_layer(kind, d):
    return nn.LayerNorm(d, eps=LAYERNORM_EPS) if kind == "layernorm" else nn.Identity()


class InputConditioning(nn.Module):
    """How the operand images a and b are conditioned before the patch embedding; buffers, never trained."""

    def __init__(self, kind, pixels):
        super().__init__()
        self.kind = kind
        if kind in ("centered", "standardised", "zca"):
            self.register_buffer("mean", torch.zeros(pixels))
        if kind == "standardised":
            self.register_buffer("scale", torch.ones(pixels))
        if kind == "zca":
            self.register_buffer("whiten", torch.eye(pixels))

    def forward(self, x):
        if self.kind in (None, "raw"):
            return x
        if self.kind == "unit":
            lo, hi = PIXEL_RANGE
            return (x - lo) * (1.0 / (hi - lo))
        if self.kind == "centered":
            return x - self.mean
        if self.kind == "standardised":
            return (x - self.mean) * self.scale
        return (x - self.mean) @ self.whiten  # zca: [pixels, pixels], applied on the right


class FFN(nn.Module):
    def __init__(self, d, f, norm):
        super().__init__()
        self.norm = norm_layer(norm, d)
        self.fc1 = nn.Linear(d, f)
        self.fc2 = nn.Linear(f, d)

    def forward(self, h):
        return self.fc2(gelu(self.fc1(self.norm(h))))


class Attention(nn.Module):
    def __init__(self, d, heads, norm):
        super().__init__()
        self.heads = heads
        self.norm = norm_layer(norm, d)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)

    def forward(self, h):
        B, T, d = h.shape
        H, dh = self.heads, d // self.heads
        x = self.norm(h)
        # Head j is columns j*dh .. (j+1)*dh - 1 of each projection's output.
        split = lambda y: y.reshape(B, T, H, dh).permute(0, 2, 1, 3)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        pattern = torch.softmax((q @ k.transpose(-1, -2)) / math.sqrt(dh), dim=-1)
        return self.o((pattern @ v).permute(0, 2, 1, 3).reshape(B, T, d))


class Block(nn.Module):
    def __init__(self, m):
        super().__init__()
        d = m["dModel"]
        self.pre_ffn = FFN(d, m["ffnWidth"], m["norm"]) if m["preAttentionFfn"] else None
        self.attn = Attention(d, m["heads"], m["norm"])
        self.ffn = FFN(d, m["ffnWidth"], m["norm"])

    def forward(self, h):
        if self.pre_ffn is not None:
            h = h + self.pre_ffn(h)
        h = h + self.attn(h)
        return h + self.ffn(h)


class GrokdiffDit(nn.Module):
    """The model of the config's "model" section: x0-parameterised, predicts the clean image of c."""

    def __init__(self, m):
        super().__init__()
        self.m = m
        S, q, d = m["imageSide"], m["patchSize"], m["dModel"]
        assert S % q == 0 and d % m["heads"] == 0 and m["timeFeatures"] % 2 == 0
        self.n = S // q  # patches per side
        tokens = 3 * self.n * self.n
        self.input_cond = InputConditioning(m.get("inputConditioning"), S * S)
        self.patch_embed = nn.Linear(q * q, d)
        self.pos_embed = nn.Parameter(torch.randn(tokens, d) / math.sqrt(d))
        self.time_mlp = nn.Sequential(nn.Linear(m["timeFeatures"], d), nn.GELU(), nn.Linear(d, d))
        self.blocks = nn.ModuleList([Block(m) for _ in range(m["depth"])])
        self.final_norm = norm_layer(m["norm"], d)
        self.out_proj = nn.Linear(d, q * q)

    def patchify(self, img):
        """[B, S*S] row-major -> [B, n*n, q*q]: patches in row-major order, pixels row-major inside a patch."""
        B, S, q, n = img.shape[0], self.m["imageSide"], self.m["patchSize"], self.n
        return img.reshape(B, n, q, n, q).permute(0, 1, 3, 2, 4).reshape(B, n * n, q * q)

    def unpatchify(self, patches):
        B, S, q, n = patches.shape[0], self.m["imageSide"], self.m["patchSize"], self.n
        return patches.reshape(B, n, n, q, q).permute(0, 1, 3, 2, 4).reshape(B, S * S)

    def time_features(self, t):
        """[B] -> [B, timeFeatures]: cos then sin of 1000 t * exp(-ln(10000) i / half), i = 0 .. half-1.
        The frequencies are computed in float64 and rounded to float32 (as grokdiff does): the arguments reach
        1000 rad, where one float32 ulp of a frequency moves the features by ~1e-4."""
        half = self.m["timeFeatures"] // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half).to(torch.float32)
        args = (t * TIME_SCALE).reshape(-1, 1) * freqs.reshape(1, half)
        return torch.cat([torch.cos(args), torch.sin(args)], dim=1)

    def forward(self, xa, xb, xt, t):
        """x0_hat [B, S*S] from the operand images xa, xb, the noisy image xt of c [B, S*S] and t [B]."""
        tokens = torch.cat([self.patchify(self.input_cond(xa)), self.patchify(self.input_cond(xb)), self.patchify(xt)], dim=1)
        h = self.patch_embed(tokens) + self.pos_embed + self.time_mlp(self.time_features(t)).unsqueeze(1)
        for block in self.blocks:
            h = block(h)
        c_tokens = self.final_norm(h)[:, 2 * self.n * self.n :, :]
        return self.unpatchify(self.out_proj(c_tokens))


# ---- training and sampling (rectified flow, x0-parameterisation) -------------------------------------------


def noisy(x0, eps, t):
    """x_t = (1 - t) x0 + t eps: t = 0 is the clean image, t = 1 pure noise."""
    return (1 - t.reshape(-1, 1)) * x0 + t.reshape(-1, 1) * eps


def loss(model, xa, xb, x0, eps, t):
    """The default training loss: mean squared error of x0_hat against x0, t ~ U(0, 1)."""
    return torch.mean((model(xa, xb, noisy(x0, eps, t), t) - x0) ** 2)


@torch.no_grad()
def sample(model, xa, xb, noise, steps=50):
    """Euler ODE sampler on the grid t_i = i / steps, from pure noise (t = 1) to t = 0."""
    x = noise
    for i in range(steps, 0, -1):
        t, t_next = i / steps, (i - 1) / steps
        x0_hat = model(xa, xb, x, torch.full((x.shape[0],), t))
        x = x0_hat + (x - x0_hat) * (t_next / t)
    return x


# ---- the reference input and the file format ----------------------------------------------------------------


def reference_input(pixels):
    """The fixed input of reference.x0hat: 4 examples; float64 formulas rounded to float32."""
    i = np.arange(len(REFERENCE_T), dtype=np.float64).reshape(-1, 1)
    j = np.arange(pixels, dtype=np.float64).reshape(1, -1)
    f32 = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
    xa = f32(np.sin(0.37 * (j + 1) + 1.3 * i))
    xb = f32(np.cos(0.23 * (j + 1) - 0.7 * i))
    xt = f32(np.sin(0.11 * (j + 1) * (i + 1)))
    return xa, xb, xt, torch.tensor(REFERENCE_T, dtype=torch.float32)


@torch.no_grad()
def reference_output(model):
    S = model.m["imageSide"]
    return model(*reference_input(S * S))


def save_safetensors(path, tensors, metadata=None):
    """Writes float32 tensors as safetensors (the format of the `safetensors` package, without needing it)."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().cpu().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def load_safetensors(path):
    """Reads a safetensors file of F32/F16 tensors into torch tensors (never unpickles anything)."""
    with open(path, "rb") as fh:
        data = fh.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        dtype = {"F32": "<f4", "F16": "<f2"}[info["dtype"]]
        arr = np.frombuffer(data[8 + n + b : 8 + n + e], dtype=dtype).astype(np.float32).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def config_path(path):
    return (path[: -len(".safetensors")] if path.endswith(".safetensors") else path) + ".config.json"


def export(model, config, path):
    """Writes model.state_dict() with reference.x0hat to `path` and `config` beside it (<stem>.config.json)."""
    tensors = dict(model.state_dict())
    tensors[REFERENCE_TENSOR] = reference_output(model)
    save_safetensors(path, tensors, {"format": CONFIG_FORMAT, "layout": "pytorch"})
    with open(config_path(path), "w") as fh:
        json.dump(config, fh, indent=2)


def load(path, config):
    """A module of the config's model with the file's weights (strict: every tensor, nothing else)."""
    model = GrokdiffDit(config["model"])
    tensors = load_safetensors(path)
    tensors.pop(REFERENCE_TENSOR, None)
    model.load_state_dict(tensors, strict=True)
    return model


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init")
    init.add_argument("--config", required=True)
    init.add_argument("--out", required=True)
    init.add_argument("--seed", type=int, default=0)
    verify = sub.add_parser("verify")
    verify.add_argument("file")
    verify.add_argument("--config", required=True)
    verify.add_argument("--same-as")
    args = parser.parse_args(argv)
    with open(args.config) as fh:
        config = json.load(fh)
    if args.command == "init":
        torch.manual_seed(args.seed)
        model = GrokdiffDit(config["model"])
        export(model, config, args.out)
        print(json.dumps({"wrote": args.out, "config": config_path(args.out), "torch": torch.__version__}))
        return
    model = load(args.file, config)
    ref = load_safetensors(args.file)[REFERENCE_TENSOR]
    out = {"maxAbsDiff": float((reference_output(model) - ref).abs().max()), "torch": torch.__version__}
    if args.same_as:
        other = load_safetensors(args.same_as)
        mine = load_safetensors(args.file)
        out["names"] = sorted(mine) == sorted(other)
        out["maxWeightDiff"] = max(float((mine[k] - other[k]).abs().max()) for k in mine if k != REFERENCE_TENSOR)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
