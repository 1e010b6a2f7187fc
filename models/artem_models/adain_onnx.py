"""One ONNX file for AdaIN style transfer: encoder -> AdaIN -> decoder.

The AdaIN node is an operator of artem's own domain `ai.artem` (see gpu/cpu/adain.c):
inputs (content features, style_mean[C], style_std[C], alpha[1]); the three last are
initializers (`adain.style_mean`, `adain.style_std`, `adain.alpha`) that the element
rewrites when the style or alpha changes.  The encoder output is named `features` and
recorded in metadata (`artem.adain.features`), so the same file gives the style encoder
(artem_net_new_from_file_with_output (path, backend, "features", ...))."""
import numpy as np
import onnx
from onnx import compose, helper, numpy_helper

from .onnx_export import export, save_with_metadata


def merge(encoder_path, decoder_path, out_path, channels, meta=None):
    enc = onnx.load(encoder_path)
    dec = compose.add_prefix(onnx.load(decoder_path), "dec/")
    enc_out = enc.graph.output[0].name
    dec_in = dec.graph.input[0].name
    nodes = []
    for n in enc.graph.node:
        n.output[:] = ["features" if o == enc_out else o for o in n.output]
        nodes.append(n)
    nodes.append(helper.make_node("AdaIN", ["features", "adain.style_mean", "adain.style_std",
                                            "adain.alpha"], ["adain.output"], name="adain",
                                  domain="ai.artem", epsilon=1e-5))
    for n in dec.graph.node:
        n.input[:] = ["adain.output" if i == dec_in else i for i in n.input]
        nodes.append(n)
    inits = list(enc.graph.initializer) + list(dec.graph.initializer) + [
        numpy_helper.from_array(np.zeros(channels, np.float32), "adain.style_mean"),
        numpy_helper.from_array(np.ones(channels, np.float32), "adain.style_std"),
        numpy_helper.from_array(np.ones(1, np.float32), "adain.alpha")]
    graph = helper.make_graph(nodes, "adain", [enc.graph.input[0]], [dec.graph.output[0]], inits)
    opset = max(o.version for o in enc.opset_import if o.domain in ("", "ai.onnx"))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset),
                                                    helper.make_opsetid("ai.artem", 1)])
    model.ir_version = enc.ir_version
    props = {"artem.input_range": "0,1", "artem.output_range": "0,1",
             "artem.adain.features": "features"}
    return save_with_metadata(model, out_path, props, meta)


def export_adain(enc, dec, out_path, channels, example, opset=13, meta=None, tmpdir="/tmp"):
    """Exports the PyTorch encoder and decoder, then merges them around an AdaIN node."""
    import os
    import tempfile
    import torch
    d = tempfile.mkdtemp(dir=tmpdir)
    e, dd = os.path.join(d, "enc.onnx"), os.path.join(d, "dec.onnx")
    export(enc, e, example, opset, (0, 1), (0, 1))
    with torch.no_grad():
        feat = enc(example)
    export(dec, dd, feat, opset, (0, 1), (0, 1))
    merge(e, dd, out_path, channels, meta)
    os.remove(e)
    os.remove(dd)
    os.rmdir(d)
    return out_path
