"""Writes the networks the GPU check runs into a folder (run here, before the device call):

  transformer-net.onnx  TransformerNet (pytorch/examples fast_neural_style), full width
  adain-vgg19.onnx      AdaIN: VGG-19 to relu4_1 -> AdaIN -> mirrored decoder, full width

Weights are seeded random (speed does not depend on them; the shipped, trained models in
models/default are what the fp16-vs-CPU golden test uses).  The PyTorch peer
(tests/gpu/torch_peer.py) builds the same modules from models/artem_models/nets.py and
loads these weights back from the ONNX initializers.

  /usr/bin/python3 tests/gpu/make_models.py OUT_DIR
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "models"))
from artem_models.adain_onnx import export_adain  # noqa: E402
from artem_models.nets import TransformerNet, VGGDecoder, VGGEncoder  # noqa: E402
from artem_models.onnx_export import export  # noqa: E402


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    tn = TransformerNet().eval()
    export(tn, os.path.join(out, "transformer-net.onnx"), torch.rand(1, 3, 64, 64) * 255)
    torch.manual_seed(1)
    enc, dec = VGGEncoder(1.0, "relu4_1").eval(), VGGDecoder(1.0, "relu4_1").eval()
    # scale the random weights so activations stay in a picture-like range
    with torch.no_grad():
        for m in list(enc.modules()) + list(dec.modules()):
            if isinstance(m, torch.nn.Conv2d):
                m.weight.mul_(0.5)
    export_adain(enc, dec, os.path.join(out, "adain-vgg19.onnx"), 512, torch.rand(1, 3, 64, 64))
    for f in sorted(os.listdir(out)):
        print("%s: %.1f MB" % (f, os.path.getsize(os.path.join(out, f)) / 1e6))


if __name__ == "__main__":
    main()
