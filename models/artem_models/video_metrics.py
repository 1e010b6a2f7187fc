"""Measures of what users see in stylized video and pictures (numpy + OpenCV, no torch).

- temporal_error: the flow-warped temporal error of Lai et al. 2018 ("Learning Blind Video
  Temporal Consistency", eq. 9): frame t against frame t-1 warped by the optical flow of
  the *input* video, with occluded pixels masked, the squared RGB error averaged over the
  kept pixels (RGB scaled to 0..1).  The same flow and mask serve the input and every
  output, so out/in is the ratio of how much more the output changes than the scene.
  Flow: OpenCV's DIS optical flow (medium preset) on grey frames, backward (t -> t-1) for
  the warp and forward for the occlusion mask (forward-backward consistency, Sundaram et
  al. 2010), pixels whose flow leaves the frame masked too.
- stale_fraction: trails and ghosts the temporal stabilisation leaves: the fraction of
  pixels where the stabilised output, low-passed (9x9 box, mean over channels), is more
  than 12 levels from the network's own output of the same frame (stabilize=0): texture
  held against flicker averages out in the box, a glow or a ghost left behind does not.
- edge_bands / frame_excess: the frame-around-the-picture check: on each side, the mean
  of the outer 3-pixel band against the mean of the band 12..24 pixels in, per channel;
  frame_excess is how much more that contrast (its magnitude) is in the output than in
  the input; with luma_only=True the same on BT.601 luma, which tells a frame drawn around the
  picture (dark or light in every channel) from a dark border object whose colour the
  style changed (fruits.jpg's blue cloth: dark in R and G, not in B, painted dark in all
  three, a large excess in B alone).
"""
import cv2
import numpy as np


class Flow:
    """Backward flow and occlusion mask for consecutive frames of one input video."""

    def __init__(self):
        self.dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)

    def pair(self, prev_rgb, cur_rgb):
        """(map_x, map_y, mask): cur(x) ~ prev(map(x)) where mask is 1."""
        g0 = cv2.cvtColor(prev_rgb, cv2.COLOR_RGB2GRAY)
        g1 = cv2.cvtColor(cur_rgb, cv2.COLOR_RGB2GRAY)
        bw = self.dis.calc(g1, g0, None)     # for pixels of t: where they were in t-1
        fw = self.dis.calc(g0, g1, None)     # for pixels of t-1: where they go in t
        h, w = g0.shape
        gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        mx, my = gx + bw[..., 0], gy + bw[..., 1]
        fw_at = cv2.remap(fw, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        s = bw + fw_at                        # ~0 where the two flows agree
        lhs = (s ** 2).sum(-1)
        rhs = 0.01 * ((bw ** 2).sum(-1) + (fw_at ** 2).sum(-1)) + 0.5
        inside = (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)
        return mx, my, ((lhs <= rhs) & inside).astype(np.float32)


def warped_error(prev_rgb, cur_rgb, mx, my, mask):
    """Mean squared RGB (0..1) error between cur and prev warped, over mask."""
    wp = cv2.remap(prev_rgb.astype(np.float32), mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    d = ((cur_rgb.astype(np.float32) - wp) / 255.0) ** 2
    n = mask.sum() * 3
    return float((d * mask[..., None]).sum() / max(n, 1.0))


def temporal_errors(inputs, outputs_list):
    """inputs: list of HxWx3 uint8 RGB frames; outputs_list: lists of output frames of
    the same length.  Returns (E_in, [E_out ...], kept fraction): each E the mean over
    the clip's consecutive pairs of the warped error."""
    flow = Flow()
    e_in, e_out, kept = [], [[] for _ in outputs_list], []
    for t in range(1, len(inputs)):
        mx, my, mask = flow.pair(inputs[t - 1], inputs[t])
        kept.append(mask.mean())
        e_in.append(warped_error(inputs[t - 1], inputs[t], mx, my, mask))
        for o, acc in zip(outputs_list, e_out):
            acc.append(warped_error(o[t - 1], o[t], mx, my, mask))
    return float(np.mean(e_in)), [float(np.mean(a)) for a in e_out], float(np.mean(kept))


def edge_bands(img, outer=3, inner=(12, 24)):
    """mean(outer band) - mean(inner band) in levels (0..255) for the 4 sides (top,
    bottom, left, right) and each channel of an HxWxC picture: a 4xC array."""
    f = img.astype(np.float64)
    a, b = inner
    sides = [(f[:outer], f[a:b]), (f[-outer:], f[-b:-a]),
             (f[:, :outer], f[:, a:b]), (f[:, -outer:], f[:, -b:-a])]
    return np.array([o.mean((0, 1)) - i.mean((0, 1)) for o, i in sides])


def luma(img):
    """BT.601 luma of an HxWx3 RGB picture, as HxWx1 float"""
    return (img.astype(np.float64) @ np.array([0.299, 0.587, 0.114]))[..., None]


def frame_excess(inp, out, luma_only=False):
    """The frame a network draws: the worst excess, over sides and channels, of the
    output's border contrast (|edge_bands|) over the input's, in levels (0 when the
    output's borders are no more set apart than the photo's own, whatever their sign:
    a colour map that inverts the picture draws no frame).  luma_only: on luma alone."""
    if luma_only:
        inp, out = luma(inp), luma(out)
    return float(np.maximum(np.abs(edge_bands(out)) - np.abs(edge_bands(inp)), 0).max())


def mean_change(inputs, outputs):
    """Mean absolute difference (levels) between input and output frames."""
    return float(np.mean([np.abs(o.astype(np.float32) - i.astype(np.float32)).mean()
                          for i, o in zip(inputs, outputs)]))


def stale_fraction(on, off, box=9, thr=12.0):
    """The mean over frames of the fraction of pixels whose box-filtered |on - off|
    (mean over channels, levels) exceeds thr (on: stabilised frames, off: the same
    network with stabilize=0)."""
    fr = []
    for a, b in zip(on, off):
        d = (a.astype(np.float32) - b.astype(np.float32)).mean(-1)
        fr.append(float((np.abs(cv2.blur(d, (box, box))) > thr).mean()))
    return float(np.mean(fr))
