"""The PyTorch side of the GPU benchmark: the same networks at the same size as artem's
run, PyTorch at its best: fp16, channels_last, cudnn.benchmark, eager and torch.compile
(the best is kept), CUDA-event timing after warm-up.  Two timings per variant:
  net_ms  the network alone on a resident fp16 tensor;
  e2e_ms  8-bit frame in pinned host memory -> GPU -> network -> 8-bit frame in pinned
          host memory (what artem-bench times).
FLOPs per pixel are counted from the modules' convolutions (2 x MACs).

  python3 tests/gpu/torch_peer.py --models gpu-run --size 2160x1200 --out peer.json
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models"))
from artem_models.nets import TransformerNet, VGGDecoder, VGGEncoder  # noqa: E402


class AdaINNet(nn.Module):
    """encoder -> AdaIN with cached style statistics -> decoder (alpha 1)."""

    def __init__(self):
        super().__init__()
        self.enc, self.dec = VGGEncoder(1.0, "relu4_1"), VGGDecoder(1.0, "relu4_1")
        self.register_buffer("s_mean", torch.zeros(1, 512, 1, 1))
        self.register_buffer("s_std", torch.ones(1, 512, 1, 1))

    def forward(self, x):
        f = self.enc(x)
        m = f.mean((2, 3), keepdim=True)
        s = (f.var((2, 3), keepdim=True, unbiased=True) + 1e-5).sqrt()
        return self.dec(self.s_std * (f - m) / s + self.s_mean)


def load_onnx_weights(module, path, prefixes=("",)):
    """copies initializers whose names match the module's parameters; returns the count"""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        return 0
    if not os.path.exists(path):
        return 0
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    sd, n = module.state_dict(), 0
    for k, v in sd.items():
        for p in prefixes:
            a = inits.get(p + k)
            if a is not None and tuple(a.shape) == tuple(v.shape):
                sd[k] = torch.from_numpy(a.copy())
                n += 1
                break
    module.load_state_dict(sd)
    return n


def conv_flops(module, x):
    total = [0]

    def hook(m, inp, out):
        k = m.kernel_size
        total[0] += 2 * m.in_channels * k[0] * k[1] * out.shape[1] * out.shape[2] * out.shape[3]
    hs = [m.register_forward_hook(hook) for m in module.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        module(x)
    for h in hs:
        h.remove()
    return total[0]


def cuda_time(fn, iters, warmup):
    for _ in range(warmup):
        fn()
    if not torch.cuda.is_available():   # --smoke on a machine without a GPU
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        return (time.perf_counter() - t0) * 1000 / iters
    torch.cuda.synchronize()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(iters):
        fn()
    b.record()
    torch.cuda.synchronize()
    return a.elapsed_time(b) / iters


def bench(name, module, w, h, in_scale, iters, budget_s, variants):
    gpu = torch.cuda.is_available()
    dev = torch.device("cuda" if gpu else "cpu")
    dt = torch.half if gpu else torch.float
    module = module.to(dev).to(dt).to(memory_format=torch.channels_last).eval()
    x = (torch.rand(1, 3, h, w, device=dev) * in_scale).to(dt).contiguous(
        memory_format=torch.channels_last)
    host_in = torch.randint(0, 256, (h, w, 4), dtype=torch.uint8)
    host_out = torch.empty((h, w, 4), dtype=torch.uint8)
    if gpu:
        host_in, host_out = host_in.pin_memory(), host_out.pin_memory()
    out_scale = 255.0 / in_scale
    res = {}
    t_start = time.time()
    for variant in variants:
        if time.time() - t_start > budget_s:
            res[variant] = {"skipped": "time budget"}
            continue
        try:
            if variant == "eager":
                f = module
            else:
                f = torch.compile(module, mode=None if variant == "compile" else variant.split(":")[1])

            def net():
                with torch.no_grad():
                    return f(x)

            def e2e():
                with torch.no_grad():
                    g = host_in.to(dev, non_blocking=True)
                    t = g[..., :3].permute(2, 0, 1).unsqueeze(0).to(dt).mul_(in_scale / 255.0)
                    t = t.contiguous(memory_format=torch.channels_last)
                    y = f(t)
                    o = (y.float() * out_scale).add_(0.5).clamp_(0, 255).to(torch.uint8)
                    host_out[..., :3].copy_(o[0].permute(1, 2, 0), non_blocking=True)
            t0 = time.time()
            net_ms = cuda_time(net, iters, 5)
            e2e_ms = cuda_time(e2e, iters, 3)
            res[variant] = {"net_ms": net_ms, "e2e_ms": e2e_ms, "setup_s": time.time() - t0}
        except Exception as e:  # a failed compile is reported, the rest goes on
            res[variant] = {"error": str(e)[:300]}
        print(name, variant, res[variant], flush=True)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="gpu-run")
    ap.add_argument("--size", default="2160x1200")
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--budget", type=float, default=70.0, help="seconds per network")
    ap.add_argument("--variants", default="eager,compile,compile:reduce-overhead")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    w, h = map(int, a.size.split("x"))
    torch.backends.cudnn.benchmark = True
    variants = a.variants.split(",")
    report = {"gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none (cpu smoke run)",
              "torch": torch.__version__, "cudnn": torch.backends.cudnn.version(),
              "size": a.size, "networks": {}}
    torch.manual_seed(0)
    tn = TransformerNet()
    loaded = load_onnx_weights(tn, os.path.join(a.models, "transformer-net.onnx"))
    fl = conv_flops(tn, torch.rand(1, 3, 64, 64)) / (64 * 64)
    report["networks"]["transformer-net"] = {
        "weights_from_onnx": loaded, "flops_per_pixel": fl,
        "variants": bench("transformer-net", tn, w, h, 255.0, a.iters, a.budget, variants)}
    ad = AdaINNet()
    loaded = load_onnx_weights(ad.enc, os.path.join(a.models, "adain-vgg19.onnx")) + \
        load_onnx_weights(ad.dec, os.path.join(a.models, "adain-vgg19.onnx"), ("dec/",))
    fl = conv_flops(ad, torch.rand(1, 3, 64, 64)) / (64 * 64)
    report["networks"]["adain-vgg19"] = {
        "weights_from_onnx": loaded, "flops_per_pixel": fl,
        "variants": bench("adain-vgg19", ad, w, h, 1.0, max(10, a.iters // 3), a.budget, variants)}
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
