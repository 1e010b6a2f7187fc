#!/usr/bin/python3
"""Converters of published style-transfer weights to ONNX files artem runs.

  convert.py ml5 WEIGHTS_DIR OUT.onnx
      deeplearn.js fast-style checkpoint (manifest.json + raw float32 variables),
      e.g. ../shared/weights/fast-style-ml5/mathura.  RGB 0..255 in and out.
  convert.py cd-vgg ENCODER.pth DECODER.pth OUT_PREFIX [--depth relu4_1]
      Collaborative-Distillation compact VGG-19 pair (../shared/weights/cd-vgg19-16x);
      writes OUT_PREFIX-encoder.onnx, -decoder.onnx and -reconstruct.onnx (encoder then
      decoder: image to image).  RGB 0..1.
  convert.py transformer-net MODEL.pth OUT.onnx
      pytorch/examples fast_neural_style checkpoint.  RGB 0..255.
  convert.py adain-cd ENCODER.pth DECODER.pth OUT.onnx [--depth relu4_1]
      the cd-vgg19-16x pair as one AdaIN model for artemadain (encoder -> AdaIN node ->
      decoder, style statistics and alpha as rewritable initializers).  RGB 0..1.
  convert.py adain VGG_NORMALISED.pth DECODER.pth OUT.onnx
      the original AdaIN release (naoto0804/pytorch-AdaIN: vgg_normalised.pth to relu4_1
      and decoder.pth) as one AdaIN model.  RGB 0..1.
  convert.py microast WEIGHTS_DIR OUT.onnx
      MicroAST (../shared/weights/microast: content and style encoders, modulator,
      decoder) as one model for artemadain (two AdaIN nodes and four modulation vectors,
      set from the style encoder's `features`, artem.adain.split).  RGB 0..1.

  convert.py vgg19-imagenet WEIGHTS_DIR OUT.onnx
      the ImageNet VGG-19 layers in ../shared/weights/vgg19-imagenet (conv1_1..conv3_4,
      the loss network) as an ONNX feature extractor (for artem-binarize's size study).

Options: --opset N (default 13).  Needs Debian's python3-torch and python3-onnx
(/usr/bin/python3)."""
import argparse
import json
import os
import re
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from artem_models import nets  # noqa: E402
from artem_models.onnx_export import export  # noqa: E402


def load_ml5(weights_dir):
    """FastStyleTF with the checkpoint's weights (TensorFlow layouts transposed)."""
    with open(os.path.join(weights_dir, "manifest.json")) as f:
        manifest = json.load(f)

    def var(i):
        name = "Variable" if i == 0 else "Variable_%d" % i
        e = manifest[name]
        a = np.fromfile(os.path.join(weights_dir, e["filename"]), dtype="<f4")
        if a.size != int(np.prod(e["shape"])):
            raise ValueError("%s: %d floats, manifest says %s" % (name, a.size, e["shape"]))
        return torch.from_numpy(a.reshape(e["shape"]).copy())

    net = nets.FastStyleTF()
    conv_ids = [0, 3, 6] + [k for i in range(5) for k in (9 + 6 * i, 12 + 6 * i)] + [39, 42, 45]
    convs = [net.c1, net.c2, net.c3] + [c for pair in net.res for c in pair] + \
        [net.t1, net.t2, net.c4]
    with torch.no_grad():
        for conv, k, norm in zip(convs, conv_ids, net.norms):
            w = var(k)  # conv [k,k,in,out]; transposed conv [k,k,out,in]
            conv.weight.copy_(w.permute(3, 2, 0, 1))
            norm.bias.copy_(var(k + 1))
            norm.weight.copy_(var(k + 2))
    return net


def load_cd_vgg(enc_path, dec_path, depth):
    enc = nets.VGGEncoder(width=0.25, depth=depth, ceil_mode=False)
    dec = nets.VGGDecoder(width=0.25, depth=depth, last_relu=True)
    for mod, path in ((enc, enc_path), (dec, dec_path)):
        sd = torch.load(path, map_location="cpu")
        sd = sd.get("model", sd)
        own = {k: v for k, v in sd.items() if not k.split(".")[0].endswith("_aux")}
        mod.convs.load_state_dict(own, strict=True)
    return enc, dec


def load_transformer_net(path):
    sd = torch.load(path, map_location="cpu")
    sd = {k: v for k, v in sd.items() if not re.search(r"in\d+\.running_(mean|var)$", k)}
    net = nets.TransformerNet()
    net.load_state_dict(sd)
    return net


def load_adain_release(vgg_path, dec_path):
    """The original release's nn.Sequential state dicts, mapped by order: the encoder's
    convs are conv0, conv11, conv12, conv21, ... (only those up to relu4_1 are used), the
    decoder's convs are conv41, conv34, ..., conv11 (the mirror)."""
    enc = nets.VGGEncoder(width=1.0, depth="relu4_1", ceil_mode=True)
    dec = nets.VGGDecoder(width=1.0, depth="relu4_1", last_relu=False)
    for mod, path in ((enc, vgg_path), (dec, dec_path)):
        sd = torch.load(path, map_location="cpu")
        convs = sorted({int(k.split(".")[0]) for k, v in sd.items() if v.dim() == 4})
        names = list(mod.convs.keys())
        if len(convs) < len(names):
            raise ValueError("%s: %d convolutions, expected at least %d" % (path, len(convs), len(names)))
        own = {}
        for name, idx in zip(names, convs):
            own[name + ".weight"] = sd["%d.weight" % idx]
            own[name + ".bias"] = sd["%d.bias" % idx]
        mod.convs.load_state_dict(own, strict=True)
    return enc, dec


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("kind", choices=["ml5", "cd-vgg", "transformer-net", "adain-cd", "adain",
                                     "microast", "vgg19-imagenet"])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--opset", type=int, default=13)
    ap.add_argument("--depth", default="relu4_1")
    a = ap.parse_args(argv)
    # the output's folder (the last path, a file or a prefix) is created when missing
    os.makedirs(os.path.dirname(os.path.abspath(a.paths[-1])), exist_ok=True)
    ex = torch.rand(1, 3, 64, 64)
    if a.kind == "ml5":
        src, out = a.paths
        export(load_ml5(src), out, ex * 255, a.opset,
               extra_meta={"artem.source": "ml5 fast-style " + os.path.basename(src.rstrip("/"))})
        print(out)
    elif a.kind == "cd-vgg":
        enc_p, dec_p, prefix = a.paths
        enc, dec = load_cd_vgg(enc_p, dec_p, a.depth)
        meta = {"artem.source": "cd-vgg19-16x " + a.depth}
        export(enc, prefix + "-encoder.onnx", ex, a.opset, (0, 1), (0, 1), meta)
        with torch.no_grad():
            feat = enc(ex)
        export(dec, prefix + "-decoder.onnx", feat, a.opset, (0, 1), (0, 1), meta)
        export(nets.EncoderDecoder(enc, dec), prefix + "-reconstruct.onnx", ex, a.opset,
               (0, 1), (0, 1), meta)
        print(prefix + "-{encoder,decoder,reconstruct}.onnx")
    elif a.kind == "vgg19-imagenet":
        from artem_models.vgg_loss import VGGLoss

        class Features(torch.nn.Module):
            def __init__(self, vgg):
                super().__init__()
                self.vgg = vgg

            def forward(self, x):
                return self.vgg(x, ["relu3_4"])["relu3_4"]
        src, out = a.paths
        export(Features(VGGLoss(src)), out, ex, a.opset, (0, 1), (0, 1))
        print(out)
    elif a.kind == "microast":
        from artem_models.microast import MicroAST, to_onnx
        src, out = a.paths
        print(to_onnx(MicroAST.load(src), out, a.opset))
    elif a.kind in ("adain-cd", "adain"):
        from artem_models.adain_onnx import export_adain
        enc_p, dec_p, out = a.paths
        if a.kind == "adain-cd":
            enc, dec = load_cd_vgg(enc_p, dec_p, a.depth)
            meta = {"artem.source": "cd-vgg19-16x " + a.depth + " AdaIN"}
        else:
            enc, dec = load_adain_release(enc_p, dec_p)
            meta = {"artem.source": "AdaIN release (vgg_normalised relu4_1 + decoder)"}
        channels = enc(ex).shape[1]
        export_adain(enc.eval(), dec.eval(), out, channels, ex, a.opset, meta)
        print(out)
    else:
        src, out = a.paths
        export(load_transformer_net(src), out, ex * 255, a.opset)
        print(out)


if __name__ == "__main__":
    main()
