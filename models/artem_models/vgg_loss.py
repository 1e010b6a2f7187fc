"""The loss network: ImageNet VGG-19 conv1_1 .. conv3_4 from ../shared/weights/vgg19-imagenet
(TensorFlow.js layers model: HWIO kernels + biases per shard; Keras "caffe" preprocessing:
BGR, 0..255, minus the ImageNet mean; zero "same" padding, ReLU, 2x2 max-pool)."""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LAYERS = ["conv1_1", "conv1_2", "pool", "conv2_1", "conv2_2", "pool",
          "conv3_1", "conv3_2", "conv3_3", "conv3_4"]
MEAN_BGR = torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)


class VGGLoss(nn.Module):
    def __init__(self, weights_dir):
        super().__init__()
        with open(os.path.join(weights_dir, "model.json")) as f:
            manifest = json.load(f)["weightsManifest"]
        self.convs = nn.ModuleDict()
        for group in manifest:
            path = os.path.join(weights_dir, group["paths"][0])
            if len(group["paths"]) != 1 or not os.path.exists(path):
                continue   # block4+ and the classifier are not in ../shared
            raw = np.fromfile(path, dtype="<f4")
            off = 0
            tensors = {}
            for w in group["weights"]:
                n = int(np.prod(w["shape"]))
                tensors[w["name"]] = raw[off:off + n].reshape(w["shape"])
                off += n
            for name, arr in tensors.items():
                if name.endswith("/kernel"):
                    block = name.split("/")[0]            # block1_conv1
                    b, c = block.replace("block", "").split("_conv")
                    conv = nn.Conv2d(arr.shape[2], arr.shape[3], 3, padding=1)
                    conv.weight.data = torch.from_numpy(arr.transpose(3, 2, 0, 1).copy())
                    conv.bias.data = torch.from_numpy(tensors[block + "/bias"].copy())
                    self.convs["conv%s_%s" % (b, c)] = conv
        for p in self.parameters():
            p.requires_grad_(False)

    @staticmethod
    def preprocess(rgb01):
        """RGB in 0..1 -> Keras caffe input (BGR, 0..255, mean removed)."""
        return rgb01[:, [2, 1, 0]] * 255.0 - MEAN_BGR.to(rgb01.device)

    def forward(self, rgb01, want, pad=0):
        """Returns {name: relu activation} for the layer names in `want` (e.g. relu2_2).

        pad > 0 (a multiple of 4): the picture is reflection-padded by `pad` pixels before
        the network and the padding is cropped off every activation again.  VGG's own zero
        padding then never meets the picture's border, so a generator trained on these
        losses gains nothing by drawing a frame there (the frame the first models had)."""
        x = self.preprocess(rgb01)
        if pad:
            x = F.pad(x, (pad, pad, pad, pad), mode="reflect")
        out = {}
        scale = 1
        last = max(LAYERS.index(w.replace("relu", "conv")) for w in want)
        for i, name in enumerate(LAYERS[:last + 1]):
            if name == "pool":
                x = F.max_pool2d(x, 2, 2)
                scale *= 2
            else:
                x = F.relu(self.convs[name](x))
                r = name.replace("conv", "relu")
                if r in want:
                    c = pad // scale
                    out[r] = x[:, :, c:x.shape[2] - c, c:x.shape[3] - c] if c else x
        return out


def gram(f):
    n, c, h, w = f.shape
    f = f.reshape(n, c, h * w)
    return f.bmm(f.transpose(1, 2)) / (c * h * w)
