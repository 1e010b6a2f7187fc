"""artem's model tools: network definitions, converters to ONNX, training scripts."""
