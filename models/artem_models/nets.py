"""PyTorch definitions of the networks artem runs, as published.

- TransformerNet: pytorch/examples fast_neural_style (Johnson et al. 2016 with instance
  normalization), the network of the ONNX model zoo's fast-neural-style models.
- VGG19 encoder to relu4_1 and its mirrored decoder: the AdaIN release
  (naoto0804/pytorch-AdaIN `net.py`, Huang & Belongie 2017), `width` scales the channels
  (1.0: the original; 0.25: the compact Collaborative-Distillation 16x models).
- FastStyleTF: the TensorFlow fast-style-transfer transform net (ml5 checkpoints),
  TensorFlow "SAME" padding reproduced exactly.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvLayer(nn.Module):
    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.reflection_pad = nn.ReflectionPad2d(k // 2)
        self.conv2d = nn.Conv2d(cin, cout, k, stride)

    def forward(self, x):
        return self.conv2d(self.reflection_pad(x))


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = ConvLayer(c, c, 3, 1)
        self.in1 = nn.InstanceNorm2d(c, affine=True)
        self.conv2 = ConvLayer(c, c, 3, 1)
        self.in2 = nn.InstanceNorm2d(c, affine=True)
        self.relu = nn.ReLU()

    def forward(self, x):
        out = self.relu(self.in1(self.conv1(x)))
        return self.in2(self.conv2(out)) + x


class UpsampleConvLayer(nn.Module):
    def __init__(self, cin, cout, k, stride, upsample=None):
        super().__init__()
        self.upsample = upsample
        self.reflection_pad = nn.ReflectionPad2d(k // 2)
        self.conv2d = nn.Conv2d(cin, cout, k, stride)

    def forward(self, x):
        if self.upsample:
            x = F.interpolate(x, mode="nearest", scale_factor=self.upsample)
        return self.conv2d(self.reflection_pad(x))


class TransformerNet(nn.Module):
    """pytorch/examples fast_neural_style/neural_style/transformer_net.py; `width` scales
    the channels (1.0 is the original 32/64/128)."""

    def __init__(self, width=1.0):
        super().__init__()
        c1, c2, c3 = int(32 * width), int(64 * width), int(128 * width)
        self.conv1 = ConvLayer(3, c1, 9, 1)
        self.in1 = nn.InstanceNorm2d(c1, affine=True)
        self.conv2 = ConvLayer(c1, c2, 3, 2)
        self.in2 = nn.InstanceNorm2d(c2, affine=True)
        self.conv3 = ConvLayer(c2, c3, 3, 2)
        self.in3 = nn.InstanceNorm2d(c3, affine=True)
        self.res1 = ResidualBlock(c3)
        self.res2 = ResidualBlock(c3)
        self.res3 = ResidualBlock(c3)
        self.res4 = ResidualBlock(c3)
        self.res5 = ResidualBlock(c3)
        self.deconv1 = UpsampleConvLayer(c3, c2, 3, 1, upsample=2)
        self.in4 = nn.InstanceNorm2d(c2, affine=True)
        self.deconv2 = UpsampleConvLayer(c2, c1, 3, 1, upsample=2)
        self.in5 = nn.InstanceNorm2d(c1, affine=True)
        self.deconv3 = ConvLayer(c1, 3, 9, 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.relu(self.in1(self.conv1(x)))
        y = self.relu(self.in2(self.conv2(y)))
        y = self.relu(self.in3(self.conv3(y)))
        y = self.res5(self.res4(self.res3(self.res2(self.res1(y)))))
        y = self.relu(self.in4(self.deconv1(y)))
        y = self.relu(self.in5(self.deconv2(y)))
        return self.deconv3(y)


# VGG-19 to reluN_1: blocks of 3x3 convs (name conv{block}{index}), 2x2 max-pool between.
VGG_BLOCKS = [(1, 64, 2), (2, 128, 2), (3, 256, 4), (4, 512, 4), (5, 512, 4)]
DEPTHS = {"relu1_1": 1, "relu2_1": 2, "relu3_1": 3, "relu4_1": 4, "relu5_1": 5}


def vgg_layers(width=1.0, depth="relu4_1"):
    """[(name, cin, cout)] or ("pool",) entries of the encoder up to `depth`."""
    last = DEPTHS[depth]
    out, cin = [], 3
    for block, ch, n in VGG_BLOCKS[:last]:
        c = int(ch * width)
        for i in range(1, (n if block < last else 1) + 1):
            out.append(("conv%d%d" % (block, i), cin, c))
            cin = c
        if block < last:
            out.append(("pool",))
    return out


class VGGEncoder(nn.Module):
    """conv0 (1x1 colour transform), then reflection pad 1 + 3x3 conv + ReLU per layer,
    2x2 max-pool stride 2 between blocks (ceil_mode as AdaIN's release when asked)."""

    def __init__(self, width=1.0, depth="relu4_1", ceil_mode=False):
        super().__init__()
        self.plan = vgg_layers(width, depth)
        self.ceil_mode = ceil_mode
        self.convs = nn.ModuleDict({"conv0": nn.Conv2d(3, 3, 1)})
        for e in self.plan:
            if e[0] != "pool":
                self.convs[e[0]] = nn.Conv2d(e[1], e[2], 3)

    def forward(self, x):
        x = self.convs["conv0"](x)
        for e in self.plan:
            if e[0] == "pool":
                x = F.max_pool2d(x, 2, 2, ceil_mode=self.ceil_mode)
            else:
                x = F.relu(self.convs[e[0]](F.pad(x, (1, 1, 1, 1), mode="reflect")))
        return x


class VGGDecoder(nn.Module):
    """The mirror of VGGEncoder: each conv reversed (cout -> cin), nearest 2x upsampling
    where the encoder pooled; ReLU after every conv but the last unless last_relu."""

    def __init__(self, width=1.0, depth="relu4_1", last_relu=False):
        super().__init__()
        self.plan = list(reversed(vgg_layers(width, depth)))
        self.last_relu = last_relu
        self.convs = nn.ModuleDict()
        for e in self.plan:
            if e[0] != "pool":
                self.convs[e[0]] = nn.Conv2d(e[2], e[1], 3)

    def forward(self, x):
        names = [e[0] for e in self.plan if e[0] != "pool"]
        for e in self.plan:
            if e[0] == "pool":
                x = F.interpolate(x, scale_factor=2, mode="nearest")
            else:
                x = self.convs[e[0]](F.pad(x, (1, 1, 1, 1), mode="reflect"))
                if e[0] != names[-1] or self.last_relu:
                    x = F.relu(x)
        return x


class EncoderDecoder(nn.Module):
    """Encoder then decoder: AdaIN at alpha 0 (the decoder's reconstruction)."""

    def __init__(self, enc, dec):
        super().__init__()
        self.enc, self.dec = enc, dec

    def forward(self, x):
        return self.dec(self.enc(x))


class FastStyleTF(nn.Module):
    """lengstrom/fast-style-transfer's transform net as used by ml5 / deeplearn.js.

    TensorFlow "SAME" padding, written out for inputs whose sides are multiples of 4
    (artem pads frames to the network's alignment, 4 here): stride-1 convs pad k//2 on
    every side; stride-2 3x3 convs pad 0 before and 1 after; stride-2 transposed convs
    place tap ky of input q at output 2q+ky and drop the last row and column."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 32, 9, bias=False)
        self.c2 = nn.Conv2d(32, 64, 3, 2, bias=False)
        self.c3 = nn.Conv2d(64, 128, 3, 2, bias=False)
        self.res = nn.ModuleList([nn.ModuleList([nn.Conv2d(128, 128, 3, bias=False),
                                                 nn.Conv2d(128, 128, 3, bias=False)])
                                  for _ in range(5)])
        self.t1 = nn.ConvTranspose2d(128, 64, 3, 2, bias=False)
        self.t2 = nn.ConvTranspose2d(64, 32, 3, 2, bias=False)
        self.c4 = nn.Conv2d(32, 3, 9, bias=False)
        self.norms = nn.ModuleList([nn.InstanceNorm2d(c, affine=True, eps=1e-3) for c in
                                    [32, 64, 128] + [128] * 10 + [64, 32, 3]])

    def forward(self, x):
        n = iter(self.norms)
        y = F.relu(next(n)(self.c1(F.pad(x, (4, 4, 4, 4)))))
        y = F.relu(next(n)(self.c2(F.pad(y, (0, 1, 0, 1)))))
        y = F.relu(next(n)(self.c3(F.pad(y, (0, 1, 0, 1)))))
        for a, b in self.res:
            r = F.relu(next(n)(a(F.pad(y, (1, 1, 1, 1)))))
            y = y + next(n)(b(F.pad(r, (1, 1, 1, 1))))
        y = F.relu(next(n)(self.t1(y)[:, :, :-1, :-1]))
        y = F.relu(next(n)(self.t2(y)[:, :, :-1, :-1]))
        y = next(n)(self.c4(F.pad(y, (4, 4, 4, 4))))
        return torch.tanh(y) * 150 + 127.5
