"""MicroAST (Wang et al., AAAI 2023, "MicroAST: Towards Super-Fast Ultra-Resolution
Arbitrary Style Transfer"; github.com/EndyWon/MicroAST, MIT licence) as PyTorch modules
with the release's parameter names, so its state dicts (../shared/weights/microast) load
as they are, and its conversion to one ONNX file artemadain runs.

The network: a content encoder and a style encoder (the same layout, separate weights:
9x9 conv, depthwise-separable strided convs, two residual blocks; 64 channels at 1/4
size), a modulator (a depthwise 3x3 conv and a global mean per style feature level gives
per-channel weights and biases), and a decoder: AdaIN of the content's deep features to
the style's, a residual block whose convolutions are modulated (x2 = w * conv(x) + b * x),
AdaIN again to the style's shallow features, a second modulated block, then bilinear 2x
upsampling and depthwise-separable convs back to RGB (0..1).

The ONNX file (`to_onnx`): the content path with its two AdaIN nodes (artem's `ai.artem`
domain, style statistics and alpha as initializers) and the modulation vectors as
initializers; the style path ends in a value named `features`: the style encoder's deep
and shallow features and the modulator's four depthwise maps, concatenated on channels
(6 x 64).  The per-channel mean of `features` is then [deep mean, shallow mean, w1, b1,
w2, b2] and its std [deep std, shallow std, ...], exactly the statistics the network
needs (the modulator's global pooling is a mean).  `artem.adain.split` in the metadata
says which channels of those statistics go into which initializer; artemadain writes
them there when the style changes."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvLayer(nn.Module):
    def __init__(self, cin, cout, k, stride, groups):
        super().__init__()
        self.reflection_pad = nn.ReflectionPad2d(k // 2)
        self.conv_layer = nn.Conv2d(cin, cout, k, stride, groups=groups)

    def forward(self, x):
        return self.conv_layer(self.reflection_pad(x))


class ResidualLayer(nn.Module):
    def __init__(self, c=64, k=3):
        super().__init__()
        self.conv1 = ConvLayer(c, c, k, 1, 1)
        self.conv2 = ConvLayer(c, c, k, 1, 1)

    def forward(self, x, weight=None, bias=None):
        if weight is None:
            return x + self.conv2(F.relu(self.conv1(x)))
        x1 = self.conv1(x)
        x3 = F.relu(weight * x1 + bias * x)
        x4 = self.conv2(x3)
        return x + (weight * x4 + bias * x3)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Sequential(
            ConvLayer(3, 16, 9, 1, 1), nn.ReLU(),
            ConvLayer(16, 32, 3, 2, 16), nn.ReLU(),
            ConvLayer(32, 32, 1, 1, 1), nn.ReLU(),
            ConvLayer(32, 64, 3, 2, 32), nn.ReLU(),
            ConvLayer(64, 64, 1, 1, 1), nn.ReLU(),
            ResidualLayer(64))
        self.enc2 = nn.Sequential(ResidualLayer(64))

    def forward(self, x):
        x1 = self.enc1(x)
        return [x1, self.enc2(x1)]


class Modulator(nn.Module):
    def __init__(self):
        super().__init__()
        for n in ("weight1", "bias1", "weight2", "bias2"):
            setattr(self, n, nn.Sequential(ConvLayer(64, 64, 3, 1, 64), nn.AdaptiveAvgPool2d(1)))

    def forward(self, s):
        return ([self.weight1(s[0]), self.weight2(s[1])], [self.bias1(s[0]), self.bias2(s[1])])


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.dec1 = ResidualLayer(64)
        self.dec2 = ResidualLayer(64)
        self.dec3 = nn.Sequential(
            nn.Upsample(scale_factor=2, mode="bilinear"),
            ConvLayer(64, 32, 3, 1, 32), nn.ReLU(),
            ConvLayer(32, 32, 1, 1, 1), nn.ReLU(),
            nn.Upsample(scale_factor=2, mode="bilinear"),
            ConvLayer(32, 16, 3, 1, 16), nn.ReLU(),
            ConvLayer(16, 16, 1, 1, 1), nn.ReLU(),
            ConvLayer(16, 3, 9, 1, 1))


def mean_std(f, eps=1e-5):
    n, c = f.shape[:2]
    v = f.reshape(n, c, -1).float()   # statistics in fp32 also under bf16 autocast
    return v.mean(2).view(n, c, 1, 1), (v.var(2) + eps).sqrt().view(n, c, 1, 1)


def adain(x, mean, std, alpha):
    m, s = mean_std(x)
    return alpha * ((x - m) / s * std + mean) + (1 - alpha) * x


class MicroAST(nn.Module):
    """The release's test-time network: forward(content, style, alpha), RGB 0..1."""

    def __init__(self):
        super().__init__()
        self.content_encoder, self.style_encoder = Encoder(), Encoder()
        self.modulator, self.decoder = Modulator(), Decoder()

    @staticmethod
    def load(weights_dir, it=160000):
        import os
        m = MicroAST()
        for part in ("content_encoder", "style_encoder", "modulator", "decoder"):
            sd = torch.load(os.path.join(weights_dir, "%s_iter_%d.pth.tar" % (part, it)),
                            map_location="cpu")
            getattr(m, part).load_state_dict(sd)
        return m.eval()

    def forward(self, content, style, alpha=1.0):
        c, s = self.content_encoder(content), self.style_encoder(style)
        w, b = self.modulator(s)
        d = self.decoder
        x1 = adain(c[1], *mean_std(s[1]), alpha)
        x2 = d.dec1(x1, w[1], b[1])
        x3 = adain(x2, *mean_std(s[0]), alpha)
        x4 = d.dec2(x3, w[0], b[0])
        return d.dec3(x4)


class _AdaIN(torch.autograd.Function):
    """artem's AdaIN node (gpu/cpu/adain.c) for the exporter; forward is its maths."""

    @staticmethod
    def forward(ctx, x, mean, std, alpha):
        c = x.shape[1]
        return adain(x, mean.view(1, c, 1, 1), std.view(1, c, 1, 1), alpha)

    @staticmethod
    def symbolic(g, x, mean, std, alpha):
        return g.op("ai.artem::AdaIN", x, mean, std, alpha, epsilon_f=1e-5)


# which channels of the statistics of `features` each initializer takes
SPLIT = [("adain.deep_mean", "mean", 0), ("adain.deep_std", "std", 0),
         ("adain.shallow_mean", "mean", 64), ("adain.shallow_std", "std", 64),
         ("mod.w_shallow", "mean", 128), ("mod.b_shallow", "mean", 192),
         ("mod.w_deep", "mean", 256), ("mod.b_deep", "mean", 320)]


class _Export(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m
        for k, (name, _, _) in enumerate(SPLIT):
            shape = (64,) if name.startswith("adain") else (1, 64, 1, 1)
            # distinct values: the exporter merges initializers that are equal
            v = torch.linspace(1, 2, 64) + k if "std" in name or "w_" in name else torch.linspace(0, 1, 64) * (k + 1)
            self.register_buffer(name.replace(".", "_"), v.reshape(shape))
        self.register_buffer("adain_alpha", torch.ones(1))

    def forward(self, x):
        m, d = self.m, self.m.decoder
        c = m.content_encoder(x)
        x1 = _AdaIN.apply(c[1], self.adain_deep_mean, self.adain_deep_std, self.adain_alpha)
        x2 = d.dec1(x1, self.mod_w_deep, self.mod_b_deep)
        x3 = _AdaIN.apply(x2, self.adain_shallow_mean, self.adain_shallow_std, self.adain_alpha)
        x4 = d.dec2(x3, self.mod_w_shallow, self.mod_b_shallow)
        out = d.dec3(x4)
        s = m.style_encoder(x)
        mod = m.modulator
        feats = torch.cat([s[1], s[0], mod.weight1[0](s[0]), mod.bias1[0](s[0]),
                           mod.weight2[0](s[1]), mod.bias2[0](s[1])], 1)
        return out, feats


def style_initializers(m, style):
    """The initializer values artemadain writes for `style` (1x3xHxW, 0..1): the AdaIN
    statistics and the modulation vectors, by name (SPLIT)."""
    with torch.no_grad():
        s = m.style_encoder(style)
        w, b = m.modulator(s)
        (dm, ds), (sm, ss) = mean_std(s[1]), mean_std(s[0])
        v = {"adain.deep_mean": dm, "adain.deep_std": ds, "adain.shallow_mean": sm,
             "adain.shallow_std": ss, "mod.w_shallow": w[0], "mod.b_shallow": b[0],
             "mod.w_deep": w[1], "mod.b_deep": b[1]}
    return {k: t.reshape(-1) for k, t in v.items()}


def to_onnx(m, out_path, opset=13, extra_meta=None, style=None):
    """Writes the artemadain model (metadata: extra_meta over the defaults); returns
    out_path.  style (1x3xHxW, 0..1): its statistics become the initializers' values, so
    the file alone (artem-image, or artemadain before a style is set) paints that style."""
    import onnx
    ex = torch.rand(1, 3, 64, 64)
    net = _Export(m).eval()
    if style is not None:
        for name, v in style_initializers(m, style).items():
            buf = getattr(net, name.replace(".", "_"))
            # tiny distinct offsets: the exporter merges initializers that are equal
            buf.copy_(v.reshape(buf.shape) + 1e-7 * ([t[0] for t in SPLIT].index(name) + 1))
    torch.onnx.export(net, ex, out_path, opset_version=opset, input_names=["input"],
                      output_names=["output", "features"], do_constant_folding=False,
                      dynamic_axes={"input": {2: "h", 3: "w"}, "output": {2: "h", 3: "w"},
                                    "features": {2: "fh", 3: "fw"}},
                      custom_opsets={"ai.artem": 1})
    model = onnx.load(out_path)
    g = model.graph
    # the style path stays as nodes (the element reads `features`), not as a graph output
    keep = [o for o in g.output if o.name != "features"]
    del g.output[:]
    g.output.extend(keep)
    # the exporter names buffers by attribute: give them the element's names
    ren = {n.replace(".", "_"): n for n, _, _ in SPLIT}
    ren["adain_alpha"] = "adain.alpha"
    for t in g.initializer:
        if t.name in ren:
            t.name = ren[t.name]
    for node in g.node:
        node.input[:] = [ren.get(i, i) for i in node.input]
    props = {"artem.input_range": "0,1", "artem.output_range": "0,1",
             "artem.adain.features": "features",
             "artem.adain.split": " ".join("%s=%s:%d:64" % s for s in SPLIT),
             "artem.source": "MicroAST (Wang et al. 2023, EndyWon/MicroAST 5a6c905)"}
    from .onnx_export import save_with_metadata
    return save_with_metadata(model, out_path, props, extra_meta)
