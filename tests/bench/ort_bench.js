// ONNX Runtime CPU (npm onnxruntime-node) as a speed peer: runs an ONNX model at a frame
// size with 2 intra-op threads and prints the ms of each frame (after 2 warm-ups) as
// one JSON line.  usage: node ort_bench.js MODEL.onnx WxH FRAMES
const ort = require('onnxruntime-node');

async function main () {
  const [model, size, frames] = process.argv.slice(2);
  const [w, h] = size.split('x').map(Number);
  const sess = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all' });
  const data = new Float32Array(3 * w * h);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761 % 4294967296) / 16843009;
  const feeds = { [sess.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, h, w]) };
  const ms = [];
  for (let i = 0; i < Number(frames) + 2; i++) {
    const t0 = process.hrtime.bigint();
    await sess.run(feeds);
    const t = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= 2) ms.push(t);
  }
  console.log(JSON.stringify({ peer: 'onnxruntime-node-' + require('onnxruntime-node/package.json').version, ms }));
}
main ().catch ((e) => { console.error(String(e)); process.exit(1); });
