#!/usr/bin/python3
"""Writes the small committed test models: TransformerNet at 1/8 width (4/8/16 channels),
random weights, opset 13, two seeds (two visibly different "styles").
usage: make_test_models.py OUT_DIR"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
from artem_models import nets  # noqa: E402
from artem_models.onnx_export import export  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
for name, seed in (("tiny-style-a", 1), ("tiny-style-b", 2)):
    torch.manual_seed(seed)
    net = nets.TransformerNet(width=0.125)
    with torch.no_grad():
        for pname, p in net.named_parameters():
            if p.dim() == 1:
                p.copy_(torch.rand(p.shape) * 0.5 + (0.75 if pname.endswith("weight") else -0.25))
            else:
                p.mul_(3.0)
        net.deconv3.conv2d.bias.fill_(127.0)
        net.deconv3.conv2d.weight.mul_(20.0)
    export(net, os.path.join(out, name + ".onnx"), torch.rand(1, 3, 32, 32) * 255, opset=13,
           extra_meta={"artem.source": "random test network, seed %d" % seed})

# Identity networks for the frame-path tests: one records RGB 0..1 ranges in its
# metadata, one records nothing (the 0..255 default applies).
import onnx  # noqa: E402
from onnx import helper, TensorProto  # noqa: E402

for name, meta in (("identity-01", {"artem.input_range": "0,1", "artem.output_range": "0,1"}),
                   ("identity-default", {})):
    g = helper.make_graph([helper.make_node("Identity", ["input"], ["output"], name="id")], name,
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "h", "w"])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, "h", "w"])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    for k, v in meta.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    onnx.save(m, os.path.join(out, name + ".onnx"))

# A lone AdaIN node (artem's ai.artem domain) on 8 channels, for the operator test.
C = 8
g = helper.make_graph(
    [helper.make_node("AdaIN", ["input", "adain.style_mean", "adain.style_std", "adain.alpha"],
                      ["output"], name="adain", domain="ai.artem", epsilon=1e-5)],
    "adain-op",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, C, "h", "w"])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, C, "h", "w"])],
    [helper.make_tensor("adain.style_mean", TensorProto.FLOAT, [C], [0.0] * C),
     helper.make_tensor("adain.style_std", TensorProto.FLOAT, [C], [1.0] * C),
     helper.make_tensor("adain.alpha", TensorProto.FLOAT, [1], [1.0])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("ai.artem", 1)])
m.ir_version = 7
onnx.save(m, os.path.join(out, "adain-op.onnx"))

# An operator artem does not support (Softmax), for the element's error test.
g = helper.make_graph([helper.make_node("Softmax", ["input"], ["output"], name="softmax", axis=1)],
                      "unsupported",
                      [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "h", "w"])],
                      [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, "h", "w"])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.save(m, os.path.join(out, "unsupported-op.onnx"))

# A model that loads but can be sized for no frame: it drops the last row (issue 12: a
# live swap to it must keep the old model serving).
g = helper.make_graph(
    [helper.make_node("Slice", ["input", "starts", "ends", "axes"], ["output"], name="crop")],
    "unsizable",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "h", "w"])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, "h1", "w"])],
    [helper.make_tensor("starts", TensorProto.INT64, [1], [0]),
     helper.make_tensor("ends", TensorProto.INT64, [1], [-1]),
     helper.make_tensor("axes", TensorProto.INT64, [1], [2])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.save(m, os.path.join(out, "unsizable.onnx"))

# A network that paints a glow: a 9x9 box blur per channel (depthwise Conv, zero padding),
# so a bright object lights up the still background around it (the stabilisation's glow
# guard is tested with it).
import numpy as np  # noqa: E402

w = helper.make_tensor("W", TensorProto.FLOAT, [3, 1, 9, 9], np.full(3 * 81, 1.0 / 81, np.float32))
g = helper.make_graph([helper.make_node("Conv", ["input", "W"], ["output"], name="blur", group=3,
                                        kernel_shape=[9, 9], pads=[4, 4, 4, 4])], "glow",
                      [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, "h", "w"])],
                      [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, "h", "w"])],
                      [w])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
e = m.metadata_props.add()
e.key, e.value = "artem.source", "test network: a 9x9 box blur (a glow around bright objects)"
onnx.save(m, os.path.join(out, "glow.onnx"))
