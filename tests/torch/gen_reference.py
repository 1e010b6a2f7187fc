#!/usr/bin/python3
"""PyTorch as the numeric reference for libartem.

Builds the pytorch/examples TransformerNet and the AdaIN VGG-19 encoder to relu4_1 with
its mirrored decoder, full width, and a block of MicroAST-class operators (grouped and
depthwise convolutions, bilinear upsampling; opset 13 only), random weights (fixed seed),
exports each to ONNX at opset 9 and opset 13 with dynamic height/width, runs PyTorch on fixed inputs and writes
model + input + expected output into OUT_DIR with a cases.txt the C checker reads:

    MODEL INPUT OUTPUT MODE     (MODE: tensor | frame WxH)

`frame` cases feed an odd-sized image through artem's frame path (padding inside the
engine); the reference pads the same way (reflection to a multiple of 4) and crops.
Usage: gen_reference.py OUT_DIR        (Debian python3-torch, python3-onnx)."""
import os
import sys

import numpy as np
import onnx.numpy_helper as nh
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
from artem_models import nets  # noqa: E402
from artem_models.onnx_export import export  # noqa: E402


def randomize(module, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() > 1:  # conv weights: He-like scale keeps activations in range
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) * (2.0 / fan_in) ** 0.5)
            elif "in" in name.split(".")[-2] or "norm" in name:
                p.copy_(torch.rand(p.shape, generator=g) * 0.5 + (0.75 if name.endswith("weight") else -0.25))
            else:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
    return module.eval()


def save_tensor(t, path):
    with open(path, "wb") as f:
        f.write(nh.from_array(np.ascontiguousarray(t.detach().numpy().astype(np.float32))).SerializeToString())


class MicroBlock(torch.nn.Module):
    """The operators of MicroAST-class networks (Wang et al. 2023): reflection-padded
    depthwise 3x3 and strided grouped convolutions, 1x1 convolutions, ReLU, bilinear 2x
    upsampling (exported as Resize linear)."""

    def __init__(self):
        super().__init__()
        c = torch.nn.Conv2d
        self.dw = c(8, 8, 3, groups=8)
        self.pw = c(8, 16, 1)
        self.down = c(16, 16, 3, stride=2, groups=4)
        self.up = c(16, 8, 3, groups=8)
        self.out = c(8, 3, 1)

    def forward(self, x):
        p = lambda t: F.pad(t, (1, 1, 1, 1), mode="reflect")
        y = F.relu(self.pw(F.relu(self.dw(p(x)))))
        y = F.relu(self.down(p(y)))
        y = F.interpolate(y, scale_factor=2.0, mode="bilinear", align_corners=False)
        return self.out(F.relu(self.up(p(y))))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    cases = []
    nets_ = {
        "transformer": (randomize(nets.TransformerNet(), 1), torch.rand(1, 3, 64, 48) * 255),
        "vgg_encoder": (randomize(nets.VGGEncoder(1.0, "relu4_1", ceil_mode=True), 2),
                        torch.rand(1, 3, 61, 46)),
        "vgg_decoder": (randomize(nets.VGGDecoder(1.0, "relu4_1"), 3), torch.rand(1, 512, 7, 6)),
    }
    for name, (net, x) in nets_.items():
        with torch.no_grad():
            y = net(x)
        save_tensor(x, os.path.join(out, name + "_in.pb"))
        save_tensor(y, os.path.join(out, name + "_out.pb"))
        for opset in (9, 13):
            model = "%s_op%d.onnx" % (name, opset)
            # PyTorch 1.13 cannot export ceil_mode pooling with dynamic sizes at opset 9
            dynamic = not (name == "vgg_encoder" and opset < 10)
            export(net, os.path.join(out, model), x, opset, dynamic=dynamic)
            cases.append("%s %s_in.pb %s_out.pb tensor" % (model, name, name))
    # odd frame size through the frame path: reflection pad to a multiple of 4, crop
    net = nets_["transformer"][0]
    w, h = 97, 61
    x = torch.rand(1, 3, h, w) * 255
    xp = F.pad(x, (0, (-w) % 4, 0, (-h) % 4), mode="reflect")
    with torch.no_grad():
        y = net(xp)[:, :, :h, :w]
    save_tensor(x, os.path.join(out, "frame_in.pb"))
    save_tensor(y, os.path.join(out, "frame_out.pb"))
    for opset in (9, 13):
        cases.append("transformer_op%d.onnx frame_in.pb frame_out.pb frame" % opset)
    # grouped convolutions and bilinear upsampling (opset 13: opset 9's Upsample linear is
    # not PyTorch's half-pixel bilinear)
    net = randomize(MicroBlock(), 4)
    x = torch.rand(1, 8, 22, 30)
    with torch.no_grad():
        y = net(x)
    save_tensor(x, os.path.join(out, "micro_in.pb"))
    save_tensor(y, os.path.join(out, "micro_out.pb"))
    export(net, os.path.join(out, "micro_op13.onnx"), x, 13, dynamic=True)
    cases.append("micro_op13.onnx micro_in.pb micro_out.pb tensor")
    with open(os.path.join(out, "cases.txt"), "w") as f:
        f.write("\n".join(cases) + "\n")


if __name__ == "__main__":
    main()
