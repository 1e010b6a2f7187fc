"""Writing ONNX files with artem's metadata (value ranges) from PyTorch modules."""
import onnx
import torch


def export(module, path, example, opset=13, input_range=(0, 255), output_range=(0, 255),
           extra_meta=None, dynamic=True):
    """Exports `module` at `opset` with dynamic height/width and records the value
    ranges artem reads (metadata_props artem.input_range / artem.output_range)."""
    module.eval()
    axes = {"input": {2: "height", 3: "width"}, "output": {2: "oh", 3: "ow"}} if dynamic else None
    with torch.no_grad():
        torch.onnx.export(module, example, path, opset_version=opset, input_names=["input"],
                          output_names=["output"], dynamic_axes=axes,
                          do_constant_folding=True)
    m = onnx.load(path)
    meta = {"artem.input_range": "%g,%g" % tuple(input_range),
            "artem.output_range": "%g,%g" % tuple(output_range)}
    meta.update(extra_meta or {})
    del m.metadata_props[:]
    for k, v in meta.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    onnx.save(m, path)
    return path
