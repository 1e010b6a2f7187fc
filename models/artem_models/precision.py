"""Training precision: bf16 autocast where the CPU has bf16 units (AMX or AVX512-BF16),
fp32 elsewhere.  Weights, optimizer state and the losses stay fp32; only the convolutions
and matrix products of the forward pass run in bf16 (torch.autocast), which halves a
training step on an AMX Xeon (0.27 -> 0.13 s for TransformerNet at 128 px, batch 2)."""
import contextlib

import torch


def cpu_has_bf16():
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def resolve(precision, device):
    """'auto' -> 'bf16' on a CPU with bf16 units, else 'fp32'; CUDA keeps what is asked."""
    if precision != "auto":
        return precision
    return "bf16" if device == "cpu" and cpu_has_bf16() else "fp32"


def autocast(precision, device):
    """The context a forward pass runs in."""
    if precision == "bf16":
        return torch.autocast(device_type="cuda" if device.startswith("cuda") else "cpu",
                              dtype=torch.bfloat16)
    return contextlib.nullcontext()


def add_argument(ap):
    ap.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto",
                    help="forward passes in bf16 where the CPU has it (auto), or fp32")
