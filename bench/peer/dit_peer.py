"""The benchmark peer: grokdiff's DiT (src/model/dit.ts) re-implemented in PyTorch, float32, CPU.

Reads a safetensors file written by bench/train-step.bench.ts (initial weights, stored [in, out] as grokdiff
does, plus one training batch) and a JSON config; runs full-batch AdamW training steps with the same loss
(x0-parameterised rectified flow: MSE between x̂0 and x0 with x_t = (1-t)·x0 + t·ε) and times them, and
times sampling all pairs with K Euler steps. Prints one JSON line. Run with Debian's /usr/bin/python3
(python3-torch); bench/setup-peer.sh installs it with OpenBLAS.
"""
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "I32": np.int32, "F64": np.float64}


def read_safetensors(path):
    with open(path, "rb") as fh:
        data = fh.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[base + b : base + e], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x * math.sqrt(0.5)))


class Dit:
    def __init__(self, cfg, weights):
        self.cfg = cfg
        self.p = {k: v.clone().requires_grad_(True) for k, v in weights.items() if not k.startswith("batch.")}

    def lin(self, name, x):
        return x @ self.p[name + ".weight"] + self.p[name + ".bias"]

    def forward(self, xa, xb, xt, t):
        c = self.cfg
        B = xa.shape[0]
        S, q = c["imageSide"], c["patchSize"]
        n = S // q

        def patchify(img):
            if n == 1:
                return img.reshape(B, 1, S * S)
            return img.reshape(B, n, q, n, q).permute(0, 1, 3, 2, 4).reshape(B, n * n, q * q)

        tokens = torch.cat([patchify(xa), patchify(xb), patchify(xt)], 1)
        half = c["timeFeatures"] // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
        args = (t * 1000.0).reshape(-1, 1) * freqs.reshape(1, half)
        tfeat = torch.cat([torch.cos(args), torch.sin(args)], 1)
        temb = self.lin("time_mlp.2", gelu(self.lin("time_mlp.0", tfeat)))
        h = self.lin("patch_embed", tokens) + self.p["pos_embed"] + temb.unsqueeze(1)
        H = c["heads"]
        d = c["dModel"]
        dh = d // H
        T = h.shape[1]
        for l in range(c["depth"]):
            pre = f"blocks.{l}"
            if c["preAttentionFfn"]:
                h = h + self.lin(pre + ".pre_ffn.fc2", gelu(self.lin(pre + ".pre_ffn.fc1", h)))
            heads = lambda name: self.lin(f"{pre}.attn.{name}", h).reshape(B, T, H, dh).permute(0, 2, 1, 3)
            qh, kh, vh = heads("q"), heads("k"), heads("v")
            scores = (qh @ kh.transpose(-1, -2)) / math.sqrt(dh)
            z = torch.softmax(scores, -1) @ vh
            h = h + self.lin(pre + ".attn.o", z.permute(0, 2, 1, 3).reshape(B, T, d))
            h = h + self.lin(pre + ".ffn.fc2", gelu(self.lin(pre + ".ffn.fc1", h)))
        out = self.lin("out_proj", h[:, 2 * n * n :, :])
        if n == 1:
            return out.reshape(B, S * S)
        return out.reshape(B, n, n, q, q).permute(0, 1, 3, 2, 4).reshape(B, S * S)


def openblas_kernels():
    """The OpenBLAS core (kernel family) and config of the BLAS this process has loaded, or None (issue 28:
    OPENBLAS_CORETYPE pins the core on these machines; without it OpenBLAS picks its own)."""
    import ctypes
    import ctypes.util

    for name in ("libblas.so.3", "libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            core, config = lib.openblas_get_corename, lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        core.restype = config.restype = ctypes.c_char_p
        return {"core": core().decode(), "config": config().decode()}
    return None


def main():
    cfg = json.loads(open(sys.argv[1]).read())
    weights = read_safetensors(sys.argv[2])
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(0)
    model = Dit(cfg["model"], weights)
    xa, xb, x0, eps, t = (weights["batch." + k] for k in ("xa", "xb", "x0", "eps", "t"))
    decay = [v for k, v in model.p.items() if k in set(cfg["decayed"])]
    no_decay = [v for k, v in model.p.items() if k not in set(cfg["decayed"])]
    tr = cfg["train"]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": tr["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=tr["lr"], betas=(tr["beta1"], tr["beta2"]), eps=tr["eps"],
    )

    def loss_fn():
        tc = t.reshape(-1, 1)
        xt = (1 - tc) * x0 + tc * eps
        return torch.mean((model.forward(xa, xb, xt, t) - x0) ** 2)

    first_loss = float(loss_fn().detach())
    times = []
    for i in range(cfg["warmup"] + cfg["repeats"]):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        opt.step()
        if i >= cfg["warmup"]:
            times.append((time.perf_counter() - t0) * 1000)
    # Sampling: all pairs in one batch, K Euler steps from noise (the x0-parameterised update).
    K = cfg["samplingSteps"]
    B = cfg["samplePairs"]
    with torch.no_grad():
        sa, sb = xa[:B], xb[:B]
        if sa.shape[0] < B:
            reps = (B + sa.shape[0] - 1) // sa.shape[0]
            sa, sb = sa.repeat(reps, 1)[:B], sb.repeat(reps, 1)[:B]
        noise = torch.randn(B, sa.shape[1])
        stimes = []
        for r in range(cfg["sampleRepeats"] + 1):
            s0 = time.perf_counter()
            x = noise.clone()
            for i in range(K, 0, -1):
                tt, tn = i / K, (i - 1) / K
                x0h = model.forward(sa, sb, x, torch.full((B,), tt))
                x = x0h + (x - x0h) * (tn / tt)
            if r > 0:
                stimes.append((time.perf_counter() - s0) * 1000)
    print(json.dumps({
        "firstLoss": first_loss,
        "stepMs": times,
        "sampleMs": stimes,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": [l for l in torch.__config__.show().splitlines() if "BLAS" in l][:2],
        "openblas": openblas_kernels(),
    }))


if __name__ == "__main__":
    main()
