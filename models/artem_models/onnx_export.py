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
    meta = {"artem.input_range": "%g,%g" % tuple(input_range),
            "artem.output_range": "%g,%g" % tuple(output_range)}
    return save_with_metadata(onnx.load(path), path, meta, extra_meta)


def save_with_metadata(model, path, props, extra=None):
    """Replaces the model's metadata_props by props updated with extra, saves it to path
    and returns path."""
    props = dict(props, **(extra or {}))
    del model.metadata_props[:]
    for k, v in props.items():
        e = model.metadata_props.add()
        e.key, e.value = k, v
    onnx.save(model, path)
    return path
