/* cuda-emu.cpp — the parts of the CUDA runtime and cuDNN that libartem's CUDA backend calls,
 * implemented on the host, so the backend (gpu/cuda/{backend,conv,ops}.c and the kernels of gpu/cuda/{norm,...}.cu
 * compiled as C++ with emu.h) runs its tests on machines without a GPU.
 *
 * What it checks: the plan, layouts (NCHW / NHWC, KRSC filters), fp16 storage, the
 * kernels' indexing, descriptor arithmetic (cuDNN's strict shape rules are enforced:
 * a descriptor whose output size does not follow from the input is CUDNN_STATUS_BAD_PARAM),
 * graph capture (operations queued, replayed on launch; synchronous calls during a capture
 * fail as on a GPU), memcpy directions against where the pointers were allocated.
 * What it cannot check: real cuDNN algorithms, timing, concurrency between streams
 * (everything runs in order on the calling thread).  Convolutions are naive loops. */
#include <glib.h>
#include <atomic>
#include <barrier>
#include <condition_variable>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <cuda_fp16.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include "emu.h"

thread_local uint3 threadIdx, blockIdx;
thread_local dim3 blockDim, gridDim;

/* ---- bookkeeping ---- */

static std::mutex mu;
/* ARTEM_EMU_FAIL_AT_LAUNCH=N: the Nth kernel launch fails and, as on a GPU, the error
 * sticks: every later call fails too (for the backend's run-time fallback) */
static std::atomic<long> n_launches;
static std::atomic<bool> sticky;
static std::map<const char *, size_t> device_allocs, host_allocs;
static thread_local cudaError_t last_error = cudaSuccess;

struct CUstream_st {
  bool capturing = false;
  std::vector<std::function<void ()>> ops;
};
static CUstream_st default_stream;
struct CUgraph_st {
  std::vector<std::function<void ()>> ops;
};
struct CUgraphExec_st {
  std::vector<std::function<void ()>> ops;
};
struct CUevent_st {
  double t = 0;
};
static thread_local CUstream_st *capturing_stream = nullptr;

static CUstream_st *
S (cudaStream_t s)
{
  return s ? (CUstream_st *) s : &default_stream;
}

static cudaError_t
fail (cudaError_t e)
{
  if (sticky)
    e = cudaErrorLaunchFailure;
  last_error = e;
  return e;
}

/* A synchronous call while this thread captures: invalid on a GPU, so here too. */
static bool
sync_during_capture ()
{
  if (!capturing_stream)
    return false;
  capturing_stream->capturing = false;
  capturing_stream->ops.clear ();
  capturing_stream = nullptr;
  fprintf (stderr, "cuda-emu: a synchronous CUDA call during stream capture\n");
  return true;
}

/* where a pointer lies: 1 device, 2 pinned host, 0 other host */
static int
where (const void *p)
{
  std::lock_guard<std::mutex> l (mu);
  const char *c = (const char *) p;
  auto it = device_allocs.upper_bound (c);
  if (it != device_allocs.begin ()) {
    --it;
    if (c >= it->first && c < it->first + it->second)
      return 1;
  }
  it = host_allocs.upper_bound (c);
  if (it != host_allocs.begin ()) {
    --it;
    if (c >= it->first && c < it->first + it->second)
      return 2;
  }
  return 0;
}

static void
run_or_queue (cudaStream_t s, std::function<void ()> f)
{
  CUstream_st *st = S (s);
  if (st->capturing)
    st->ops.push_back (std::move (f));
  else
    f ();
}

/* ---- kernels ---- */

static thread_local std::barrier<> *block_barrier = nullptr;

void
artem_emu_syncthreads ()
{
  if (block_barrier)
    block_barrier->arrive_and_wait ();
}

int
artem_emu_last_error ()
{
  cudaError_t e = last_error;
  last_error = cudaSuccess;
  return (int) e;
}

/* A pool of host threads, one per GPU thread of a block (up to 1024), kept between
 * cooperative launches: creating 256 threads per launch would dominate the tests. */
/* never destroyed: the detached workers wait on them until the process ends */
static std::mutex &pool_mu = *new std::mutex;
static std::condition_variable &pool_cv = *new std::condition_variable;
static std::condition_variable &pool_done_cv = *new std::condition_variable;
static unsigned pool_size;
static const std::function<void (unsigned)> *pool_job;
static unsigned pool_nt, pool_pending;
static unsigned long pool_gen;

static void
pool_worker (unsigned idx)
{
  unsigned long seen = 0;
  for (;;) {
    const std::function<void (unsigned)> *job;
    {
      std::unique_lock<std::mutex> l (pool_mu);
      pool_cv.wait (l, [&] { return pool_gen != seen; });
      seen = pool_gen;
      if (idx >= pool_nt)
        continue;
      job = pool_job;
    }
    (*job) (idx);
    std::lock_guard<std::mutex> l (pool_mu);
    if (--pool_pending == 0)
      pool_done_cv.notify_all ();
  }
}

static void
pool_run (unsigned nt, const std::function<void (unsigned)> &job)
{
  static std::mutex launch_mu;   /* one cooperative launch at a time */
  std::lock_guard<std::mutex> one (launch_mu);
  std::unique_lock<std::mutex> l (pool_mu);
  while (pool_size < nt)
    std::thread (pool_worker, pool_size++).detach ();
  pool_job = &job;
  pool_nt = nt;
  pool_pending = nt;
  pool_gen++;
  pool_cv.notify_all ();
  pool_done_cv.wait (l, [] { return pool_pending == 0; });
}

static void
launch_now (dim3 grid, dim3 block, bool coop, const std::function<void ()> &f)
{
  if (!coop) {
    gridDim = grid;
    blockDim = block;
    for (unsigned bz = 0; bz < grid.z; bz++)
      for (unsigned by = 0; by < grid.y; by++)
        for (unsigned bx = 0; bx < grid.x; bx++)
          for (unsigned tz = 0; tz < block.z; tz++)
            for (unsigned ty = 0; ty < block.y; ty++)
              for (unsigned tx = 0; tx < block.x; tx++) {
                blockIdx = make_uint3 (bx, by, bz);
                threadIdx = make_uint3 (tx, ty, tz);
                f ();
              }
    return;
  }
  unsigned nt = block.x * block.y * block.z;
  std::barrier<> bar ((std::ptrdiff_t) nt);
  auto body = [&] (unsigned t) {
    gridDim = grid;
    blockDim = block;
    block_barrier = &bar;
    threadIdx = make_uint3 (t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
    for (unsigned bz = 0; bz < grid.z; bz++)
      for (unsigned by = 0; by < grid.y; by++)
        for (unsigned bx = 0; bx < grid.x; bx++) {
          blockIdx = make_uint3 (bx, by, bz);
          f ();
          bar.arrive_and_wait ();   /* the block's end: shared memory is reused */
        }
    block_barrier = nullptr;
  };
  pool_run (nt, body);
}

void
artem_emu_launch (dim3 grid, dim3 block, cudaStream_t stream, bool coop, std::function<void ()> f)
{
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || block.x * block.y * block.z > 1024 ||
      grid.y > 65535 || grid.z > 65535) {
    fail (cudaErrorInvalidConfiguration);
    return;
  }
  const char *fail_at = getenv ("ARTEM_EMU_FAIL_AT_LAUNCH");
  if (sticky || (fail_at && ++n_launches == atol (fail_at))) {
    sticky = true;
    fail (cudaErrorLaunchFailure);
    return;
  }
  run_or_queue (stream, [=] () { launch_now (grid, block, coop, f); });
}

/* ---- runtime ---- */

extern "C" {

cudaError_t CUDARTAPI
cudaGetDeviceCount (int *n)
{
  *n = 1;
  return cudaSuccess;
}

cudaError_t CUDARTAPI cudaSetDevice (int) { return cudaSuccess; }

cudaError_t CUDARTAPI
cudaGetDeviceProperties (struct cudaDeviceProp *p, int)
{
  memset (p, 0, sizeof *p);
  strcpy (p->name, "artem CUDA emulator (host)");
  p->major = 9;
  p->minor = 0;
  return cudaSuccess;
}

const char *CUDARTAPI
cudaGetErrorString (cudaError_t e)
{
  return e == cudaSuccess ? "no error" : "emulated CUDA error";
}

cudaError_t CUDARTAPI
cudaGetLastError (void)
{
  cudaError_t e = (cudaError_t) artem_emu_last_error ();
  return sticky ? cudaErrorLaunchFailure : e;
}

cudaError_t CUDARTAPI
cudaMalloc (void **p, size_t n)
{
  if (sync_during_capture ())
    return fail (cudaErrorStreamCaptureUnsupported);
  char *m = (char *) aligned_alloc (256, (n + 255) / 256 * 256);
  if (!m)
    return fail (cudaErrorMemoryAllocation);
  /* device memory starts as garbage: by default 0xA5 (a tiny float, so that reads of
   * unset memory go unseen, as on a GPU whose old data happens to be small);
   * ARTEM_EMU_FILL=nan fills with NaN, which any such read carries to the output */
  static int fill = -1;
  if (fill < 0)
    fill = g_strcmp0 (g_getenv ("ARTEM_EMU_FILL"), "nan") ? 0xA5 : 0xFF;
  memset (m, fill, n);
  std::lock_guard<std::mutex> l (mu);
  device_allocs[m] = n;
  *p = m;
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaFree (void *p)
{
  if (!p)
    return cudaSuccess;
  std::lock_guard<std::mutex> l (mu);
  if (!device_allocs.erase ((const char *) p))
    return fail (cudaErrorInvalidValue);
  free (p);
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaHostAlloc (void **p, size_t n, unsigned int)
{
  if (sync_during_capture ())
    return fail (cudaErrorStreamCaptureUnsupported);
  char *m = (char *) aligned_alloc (256, (n + 255) / 256 * 256);
  if (!m)
    return fail (cudaErrorMemoryAllocation);
  std::lock_guard<std::mutex> l (mu);
  host_allocs[m] = n;
  *p = m;
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaFreeHost (void *p)
{
  std::lock_guard<std::mutex> l (mu);
  if (!host_allocs.erase ((const char *) p))
    return fail (cudaErrorInvalidValue);
  free (p);
  return cudaSuccess;
}

static cudaError_t
check_kind (void *dst, const void *src, cudaMemcpyKind kind, bool async)
{
  int d = where (dst), s = where (src);
  bool ok = kind == cudaMemcpyHostToDevice ? d == 1 && s != 1
            : kind == cudaMemcpyDeviceToHost ? d != 1 && s == 1
            : kind == cudaMemcpyDeviceToDevice ? d == 1 && s == 1
            : kind == cudaMemcpyDefault;
  /* an async copy from or to pageable memory is not asynchronous on a GPU: flag it */
  if (ok && async && ((kind == cudaMemcpyHostToDevice && s != 2) ||
                      (kind == cudaMemcpyDeviceToHost && d != 2)))
    ok = false;
  if (!ok) {
    fprintf (stderr, "cuda-emu: bad memcpy (kind %d, dst %s, src %s%s)\n", (int) kind,
             d == 1 ? "device" : d == 2 ? "pinned" : "host",
             s == 1 ? "device" : s == 2 ? "pinned" : "host", async ? ", async" : "");
    return fail (cudaErrorInvalidValue);
  }
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaMemcpy (void *dst, const void *src, size_t n, cudaMemcpyKind kind)
{
  if (sync_during_capture ())
    return fail (cudaErrorStreamCaptureUnsupported);
  cudaError_t e = check_kind (dst, src, kind, false);
  if (e)
    return e;
  memcpy (dst, src, n);
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaMemcpyAsync (void *dst, const void *src, size_t n, cudaMemcpyKind kind, cudaStream_t s)
{
  cudaError_t e = check_kind (dst, src, kind, true);
  if (e)
    return e;
  run_or_queue (s, [=] () { memcpy (dst, src, n); });
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaMemset (void *p, int v, size_t n)
{
  if (sync_during_capture ())
    return fail (cudaErrorStreamCaptureUnsupported);
  if (where (p) != 1)
    return fail (cudaErrorInvalidValue);
  memset (p, v, n);
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaMemsetAsync (void *p, int v, size_t n, cudaStream_t s)
{
  if (where (p) != 1)
    return fail (cudaErrorInvalidValue);
  run_or_queue (s, [=] () { memset (p, v, n); });
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaStreamCreateWithFlags (cudaStream_t *s, unsigned int)
{
  *s = (cudaStream_t) new CUstream_st;
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaStreamDestroy (cudaStream_t s)
{
  delete (CUstream_st *) s;
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaStreamSynchronize (cudaStream_t)
{
  if (sticky)
    return fail (cudaErrorLaunchFailure);
  if (sync_during_capture ())
    return fail (cudaErrorStreamCaptureUnsupported);
  return cudaSuccess;
}

cudaError_t CUDARTAPI cudaStreamWaitEvent (cudaStream_t, cudaEvent_t, unsigned int) { return cudaSuccess; }

cudaError_t CUDARTAPI
cudaStreamBeginCapture (cudaStream_t s, enum cudaStreamCaptureMode)
{
  CUstream_st *st = S (s);
  if (st->capturing || capturing_stream)
    return fail (cudaErrorIllegalState);
  st->capturing = true;
  st->ops.clear ();
  capturing_stream = st;
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaStreamEndCapture (cudaStream_t s, cudaGraph_t *g)
{
  CUstream_st *st = S (s);
  *g = nullptr;
  if (!st->capturing) {
    capturing_stream = nullptr;
    return fail (cudaErrorStreamCaptureInvalidated);
  }
  CUgraph_st *graph = new CUgraph_st;
  graph->ops = std::move (st->ops);
  st->ops.clear ();
  st->capturing = false;
  capturing_stream = nullptr;
  *g = graph;
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaGraphInstantiate (cudaGraphExec_t *e, cudaGraph_t g, unsigned long long)
{
  CUgraphExec_st *x = new CUgraphExec_st;
  x->ops = g->ops;
  *e = x;
  return cudaSuccess;
}

cudaError_t CUDARTAPI cudaGraphDestroy (cudaGraph_t g) { delete g; return cudaSuccess; }
cudaError_t CUDARTAPI cudaGraphExecDestroy (cudaGraphExec_t e) { delete e; return cudaSuccess; }

cudaError_t CUDARTAPI
cudaGraphLaunch (cudaGraphExec_t e, cudaStream_t s)
{
  if (sticky)
    return fail (cudaErrorLaunchFailure);
  CUgraphExec_st *x = e;
  run_or_queue (s, [x] () {
    for (auto &op : x->ops)
      op ();
  });
  return cudaSuccess;
}

static double
now_ms ()
{
  return std::chrono::duration<double, std::milli> (
             std::chrono::steady_clock::now ().time_since_epoch ()).count ();
}

cudaError_t CUDARTAPI cudaEventCreate (cudaEvent_t *e) { *e = (cudaEvent_t) new CUevent_st; return cudaSuccess; }
cudaError_t CUDARTAPI cudaEventCreateWithFlags (cudaEvent_t *e, unsigned int) { return cudaEventCreate (e); }
cudaError_t CUDARTAPI cudaEventDestroy (cudaEvent_t e) { delete (CUevent_st *) e; return cudaSuccess; }

cudaError_t CUDARTAPI
cudaEventRecord (cudaEvent_t e, cudaStream_t s)
{
  CUevent_st *ev = (CUevent_st *) e;
  run_or_queue (s, [ev] () { ev->t = now_ms (); });
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaEventSynchronize (cudaEvent_t)
{
  if (sticky)
    return fail (cudaErrorLaunchFailure);
  if (sync_during_capture ())
    return fail (cudaErrorStreamCaptureUnsupported);
  return cudaSuccess;
}

cudaError_t CUDARTAPI
cudaEventElapsedTime (float *ms, cudaEvent_t a, cudaEvent_t b)
{
  *ms = (float) (((CUevent_st *) b)->t - ((CUevent_st *) a)->t);
  return cudaSuccess;
}

}  // extern "C"

/* ---- cuDNN ---- */

struct cudnnContext {
  cudaStream_t stream = nullptr;
};
struct cudnnTensorStruct {
  cudnnTensorFormat_t fmt;
  cudnnDataType_t type;
  int n, c, h, w;
};
struct cudnnFilterStruct {
  cudnnTensorFormat_t fmt;
  cudnnDataType_t type;
  int k, c, h, w;
};
struct cudnnConvolutionStruct {
  int ph, pw, u, v, dh, dw;
  cudnnConvolutionMode_t mode;
  cudnnDataType_t compute;
  cudnnMathType_t math;
  int groups;
};

static size_t
toff (const cudnnTensorStruct *d, int n, int c, int h, int w)
{
  return d->fmt == CUDNN_TENSOR_NHWC ? (((size_t) n * d->h + h) * d->w + w) * d->c + c
                                     : (((size_t) n * d->c + c) * d->h + h) * d->w + w;
}

static size_t
foff (const cudnnFilterStruct *d, int k, int c, int r, int s)
{
  return d->fmt == CUDNN_TENSOR_NHWC ? (((size_t) k * d->h + r) * d->w + s) * d->c + c
                                     : (((size_t) k * d->c + c) * d->h + r) * d->w + s;
}

static float
get (const void *p, cudnnDataType_t t, size_t i)
{
  return t == CUDNN_DATA_HALF ? __half2float (((const __half *) p)[i]) : ((const float *) p)[i];
}

static void
put (void *p, cudnnDataType_t t, size_t i, float v)
{
  if (t == CUDNN_DATA_HALF)
    ((__half *) p)[i] = __float2half_rn (v);
  else
    ((float *) p)[i] = v;
}

/* forward output size as cuDNN computes it */
static int
out_size (int in, int pad, int k, int dil, int stride)
{
  return (in + 2 * pad - ((k - 1) * dil + 1)) / stride + 1;
}

static bool
conv_shapes_ok (const cudnnTensorStruct *x, const cudnnFilterStruct *w,
                const cudnnConvolutionStruct *c, const cudnnTensorStruct *y)
{
  int g = c->groups;
  return g >= 1 && x->c == w->c * g && y->c == w->k && w->k % g == 0 && x->n == y->n &&
         x->type == y->type &&
         w->type == x->type && w->fmt == x->fmt &&
         y->h == out_size (x->h, c->ph, w->h, c->dh, c->u) &&
         y->w == out_size (x->w, c->pw, w->w, c->dw, c->v) && c->mode == CUDNN_CROSS_CORRELATION;
}

/* ARTEM_EMU_STRICT_NHWC=1: no algorithm for fp16 NHWC with channel counts that are not
 * multiples of 8 (what tensor-core kernels want), to exercise the backend's NCHW fallback */
static bool
strict_reject (const cudnnTensorStruct *x, const cudnnTensorStruct *y)
{
  const char *e = getenv ("ARTEM_EMU_STRICT_NHWC");
  return e && *e == '1' && x->fmt == CUDNN_TENSOR_NHWC && x->type == CUDNN_DATA_HALF &&
         (x->c % 8 || y->c % 8);
}

extern "C" {

size_t CUDNNWINAPI cudnnGetVersion (void) { return 91900; }
const char *CUDNNWINAPI cudnnGetErrorString (cudnnStatus_t s) { return s ? "emulated cuDNN error" : "CUDNN_STATUS_SUCCESS"; }
cudnnStatus_t CUDNNWINAPI cudnnCreate (cudnnHandle_t *h) { *h = new cudnnContext; return CUDNN_STATUS_SUCCESS; }
cudnnStatus_t CUDNNWINAPI cudnnDestroy (cudnnHandle_t h) { delete h; return CUDNN_STATUS_SUCCESS; }
cudnnStatus_t CUDNNWINAPI cudnnSetStream (cudnnHandle_t h, cudaStream_t s) { h->stream = s; return CUDNN_STATUS_SUCCESS; }
cudnnStatus_t CUDNNWINAPI cudnnCreateTensorDescriptor (cudnnTensorDescriptor_t *d) { *d = new cudnnTensorStruct (); return CUDNN_STATUS_SUCCESS; }
cudnnStatus_t CUDNNWINAPI cudnnDestroyTensorDescriptor (cudnnTensorDescriptor_t d) { delete d; return CUDNN_STATUS_SUCCESS; }
cudnnStatus_t CUDNNWINAPI cudnnCreateFilterDescriptor (cudnnFilterDescriptor_t *d) { *d = new cudnnFilterStruct (); return CUDNN_STATUS_SUCCESS; }
cudnnStatus_t CUDNNWINAPI cudnnDestroyFilterDescriptor (cudnnFilterDescriptor_t d) { delete d; return CUDNN_STATUS_SUCCESS; }
cudnnStatus_t CUDNNWINAPI cudnnCreateConvolutionDescriptor (cudnnConvolutionDescriptor_t *d) { *d = new cudnnConvolutionStruct (); return CUDNN_STATUS_SUCCESS; }
cudnnStatus_t CUDNNWINAPI cudnnDestroyConvolutionDescriptor (cudnnConvolutionDescriptor_t d) { delete d; return CUDNN_STATUS_SUCCESS; }

cudnnStatus_t CUDNNWINAPI
cudnnSetTensor4dDescriptor (cudnnTensorDescriptor_t d, cudnnTensorFormat_t f, cudnnDataType_t t,
                            int n, int c, int h, int w)
{
  if (n < 1 || c < 1 || h < 1 || w < 1 || (f != CUDNN_TENSOR_NCHW && f != CUDNN_TENSOR_NHWC))
    return CUDNN_STATUS_BAD_PARAM;
  *d = { f, t, n, c, h, w };
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t CUDNNWINAPI
cudnnSetFilter4dDescriptor (cudnnFilterDescriptor_t d, cudnnDataType_t t, cudnnTensorFormat_t f,
                            int k, int c, int h, int w)
{
  if (k < 1 || c < 1 || h < 1 || w < 1)
    return CUDNN_STATUS_BAD_PARAM;
  *d = { f, t, k, c, h, w };
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t CUDNNWINAPI
cudnnSetConvolution2dDescriptor (cudnnConvolutionDescriptor_t d, int ph, int pw, int u, int v,
                                 int dh, int dw, cudnnConvolutionMode_t mode,
                                 cudnnDataType_t compute)
{
  if (ph < 0 || pw < 0 || u < 1 || v < 1 || dh < 1 || dw < 1)
    return CUDNN_STATUS_BAD_PARAM;
  *d = { ph, pw, u, v, dh, dw, mode, compute, CUDNN_DEFAULT_MATH, 1 };
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t CUDNNWINAPI
cudnnSetConvolutionGroupCount (cudnnConvolutionDescriptor_t d, int groups)
{
  if (groups < 1)
    return CUDNN_STATUS_BAD_PARAM;
  d->groups = groups;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t CUDNNWINAPI
cudnnSetConvolutionMathType (cudnnConvolutionDescriptor_t d, cudnnMathType_t m)
{
  d->math = m;
  return CUDNN_STATUS_SUCCESS;
}

/* What cuDNN documents for fp32 data on sm_80+: CUDNN_DEFAULT_MATH lets it run a
 * convolution in TF32 (operands rounded to a 10-bit mantissa).  The emulated search lists
 * a DEFAULT_MATH candidate first (the faster), then the FMA_MATH one, and the emulated
 * convolutions round likewise, so a backend that takes DEFAULT_MATH in fp32 mode is off
 * by an nmse of about 1e-6.  (The H200's 4e-6 on fp32 convolutions in December 2026 was
 * not this: test-backend-ops' CPU reference ran bf16.)
 *
 * What cuDNN 9.19 did on an H200 (tests/gpu/bisect.sh, December 2026): once
 * cudnnFindConvolution*Algorithm had timed fp32 convolutions, some fp32 convolutions of
 * the process gave wrong results (default-adain's /conv31/Conv at 336x188: nmse 0.95; the
 * frame 19.8 dB), with every algorithm Find offered; with cuDNN's heuristic ranking
 * (cudnnGet*Algorithm_v7) and no Find, every result matched the CPU.  The emulator does
 * the same: after an fp32 Find, fp32 convolutions leave out their last input channel.
 * ARTEM_EMU_SOUND_FIND=1 turns this off. */
static std::atomic<bool> fp32_found;

static void
note_find (cudnnDataType_t type)
{
  if (type == CUDNN_DATA_FLOAT && !getenv ("ARTEM_EMU_SOUND_FIND"))
    fp32_found = true;
}
static int
candidates (cudnnDataType_t type, cudnnMathType_t asked, int req)
{
  int n = type == CUDNN_DATA_FLOAT && asked != CUDNN_DEFAULT_MATH ? 2 : 1;
  return req < n ? (req > 0 ? req : 0) : n;
}

static cudnnMathType_t
candidate_math (cudnnDataType_t type, cudnnMathType_t asked, int i)
{
  return candidates (type, asked, 2) == 2 && i == 0 ? CUDNN_DEFAULT_MATH : asked;
}

static inline float
tf32 (float v)
{
  uint32_t u;
  memcpy (&u, &v, 4);
  if ((u & 0x7f800000u) != 0x7f800000u) {
    u += 0x1000u;   /* round to nearest at the 10th mantissa bit */
    u &= 0xffffe000u;
  }
  memcpy (&v, &u, 4);
  return v;
}

static bool
runs_tf32 (cudnnDataType_t type, cudnnMathType_t m)
{
  return type == CUDNN_DATA_FLOAT && m != CUDNN_FMA_MATH;
}

cudnnStatus_t CUDNNWINAPI
cudnnFindConvolutionForwardAlgorithm (cudnnHandle_t, const cudnnTensorDescriptor_t x,
                                      const cudnnFilterDescriptor_t w,
                                      const cudnnConvolutionDescriptor_t c,
                                      const cudnnTensorDescriptor_t y, const int req, int *got,
                                      cudnnConvolutionFwdAlgoPerf_t *perf)
{
  if (sync_during_capture ())
    return CUDNN_STATUS_BAD_PARAM;
  if (!conv_shapes_ok (x, w, c, y))
    return CUDNN_STATUS_BAD_PARAM;
  note_find (x->type);
  *got = candidates (x->type, c->math, req);
  for (int i = 0; i < *got; i++) {
    memset (&perf[i], 0, sizeof perf[i]);
    perf[i].algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
    perf[i].status = strict_reject (x, y) ? CUDNN_STATUS_NOT_SUPPORTED : CUDNN_STATUS_SUCCESS;
    perf[i].memory = 4096;   /* some workspace, so that its plumbing is exercised */
    perf[i].mathType = candidate_math (x->type, c->math, i);
  }
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t CUDNNWINAPI
cudnnFindConvolutionBackwardDataAlgorithm (cudnnHandle_t, const cudnnFilterDescriptor_t w,
                                           const cudnnTensorDescriptor_t dy,
                                           const cudnnConvolutionDescriptor_t c,
                                           const cudnnTensorDescriptor_t dx, const int req,
                                           int *got, cudnnConvolutionBwdDataAlgoPerf_t *perf)
{
  if (sync_during_capture ())
    return CUDNN_STATUS_BAD_PARAM;
  if (!conv_shapes_ok (dx, w, c, dy))
    return CUDNN_STATUS_BAD_PARAM;
  note_find (dy->type);
  *got = candidates (dy->type, c->math, req);
  for (int i = 0; i < *got; i++) {
    memset (&perf[i], 0, sizeof perf[i]);
    perf[i].algo = CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
    perf[i].status = strict_reject (dy, dx) ? CUDNN_STATUS_NOT_SUPPORTED : CUDNN_STATUS_SUCCESS;
    perf[i].memory = 4096;
    perf[i].mathType = candidate_math (dy->type, c->math, i);
  }
  return CUDNN_STATUS_SUCCESS;
}

/* the heuristic queries: the same candidates as Find, untimed (so no harm, note_find):
 * the flag as it was before the call */
static cudnnStatus_t
untimed (bool was, cudnnStatus_t st)
{
  fp32_found = was;
  return st;
}

cudnnStatus_t CUDNNWINAPI
cudnnGetConvolutionForwardAlgorithm_v7 (cudnnHandle_t h, const cudnnTensorDescriptor_t x,
                                        const cudnnFilterDescriptor_t w,
                                        const cudnnConvolutionDescriptor_t c,
                                        const cudnnTensorDescriptor_t y, const int req,
                                        int *got, cudnnConvolutionFwdAlgoPerf_t *perf)
{
  bool was = fp32_found;
  return untimed (was, cudnnFindConvolutionForwardAlgorithm (h, x, w, c, y, req, got, perf));
}

cudnnStatus_t CUDNNWINAPI
cudnnGetConvolutionBackwardDataAlgorithm_v7 (cudnnHandle_t h, const cudnnFilterDescriptor_t w,
                                             const cudnnTensorDescriptor_t dy,
                                             const cudnnConvolutionDescriptor_t c,
                                             const cudnnTensorDescriptor_t dx, const int req,
                                             int *got, cudnnConvolutionBwdDataAlgoPerf_t *perf)
{
  bool was = fp32_found;
  return untimed (was, cudnnFindConvolutionBackwardDataAlgorithm (h, w, dy, c, dx, req, got, perf));
}

/* every emulated algorithm asks for 4096 bytes of workspace */
static cudnnStatus_t
workspace_size (bool shapes_ok, size_t *bytes)
{
  if (!shapes_ok)
    return CUDNN_STATUS_BAD_PARAM;
  *bytes = 4096;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t CUDNNWINAPI
cudnnGetConvolutionForwardWorkspaceSize (cudnnHandle_t, const cudnnTensorDescriptor_t x,
                                         const cudnnFilterDescriptor_t w,
                                         const cudnnConvolutionDescriptor_t c,
                                         const cudnnTensorDescriptor_t y,
                                         cudnnConvolutionFwdAlgo_t, size_t *bytes)
{
  return workspace_size (conv_shapes_ok (x, w, c, y), bytes);
}

cudnnStatus_t CUDNNWINAPI
cudnnGetConvolutionBackwardDataWorkspaceSize (cudnnHandle_t, const cudnnFilterDescriptor_t w,
                                              const cudnnTensorDescriptor_t dy,
                                              const cudnnConvolutionDescriptor_t c,
                                              const cudnnTensorDescriptor_t dx,
                                              cudnnConvolutionBwdDataAlgo_t, size_t *bytes)
{
  return workspace_size (conv_shapes_ok (dx, w, c, dy), bytes);
}

cudnnStatus_t CUDNNWINAPI
cudnnConvolutionForward (cudnnHandle_t h, const void *alpha, const cudnnTensorDescriptor_t xd,
                         const void *x, const cudnnFilterDescriptor_t wd, const void *w,
                         const cudnnConvolutionDescriptor_t cd, cudnnConvolutionFwdAlgo_t,
                         void *ws, size_t wsb, const void *beta,
                         const cudnnTensorDescriptor_t yd, void *y)
{
  if (!conv_shapes_ok (xd, wd, cd, yd) || where (x) != 1 || where (w) != 1 || where (y) != 1 ||
      (wsb && where (ws) != 1) || wsb < 4096)
    return CUDNN_STATUS_BAD_PARAM;
  if (strict_reject (xd, yd))
    return CUDNN_STATUS_NOT_SUPPORTED;
  cudnnTensorStruct X = *xd, Y = *yd;
  cudnnFilterStruct W = *wd;
  cudnnConvolutionStruct C = *cd;
  float a = *(const float *) alpha, b = *(const float *) beta;
  bool tf = runs_tf32 (X.type, C.math);
  int drop = fp32_found && X.type == CUDNN_DATA_FLOAT ? 1 : 0;   /* see note_find */
  run_or_queue (h->stream, [=] () {
#pragma omp parallel for collapse(2)
    for (int n = 0; n < Y.n; n++)
      for (int k = 0; k < Y.c; k++)
        for (int oh = 0; oh < Y.h; oh++)
          for (int ow = 0; ow < Y.w; ow++) {
            float s = 0.f;
            int c0 = k / (Y.c / C.groups) * W.c;   /* the group's first input channel */
            for (int r = 0; r < W.h; r++) {
              int ih = oh * C.u - C.ph + r * C.dh;
              if (ih < 0 || ih >= X.h)
                continue;
              for (int q = 0; q < W.w; q++) {
                int iw = ow * C.v - C.pw + q * C.dw;
                if (iw < 0 || iw >= X.w)
                  continue;
                for (int c = 0; c < W.c - drop; c++) {
                  float xv = get (x, X.type, toff (&X, n, c0 + c, ih, iw));
                  float wv = get (w, W.type, foff (&W, k, c, r, q));
                  s += tf ? tf32 (xv) * tf32 (wv) : xv * wv;
                }
              }
            }
            size_t o = toff (&Y, n, k, oh, ow);
            put (y, Y.type, o, a * s + (b != 0.f ? b * get (y, Y.type, o) : 0.f));
          }
  });
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t CUDNNWINAPI
cudnnConvolutionBackwardData (cudnnHandle_t h, const void *alpha,
                              const cudnnFilterDescriptor_t wd, const void *w,
                              const cudnnTensorDescriptor_t dyd, const void *dy,
                              const cudnnConvolutionDescriptor_t cd,
                              cudnnConvolutionBwdDataAlgo_t, void *ws, size_t wsb,
                              const void *beta, const cudnnTensorDescriptor_t dxd, void *dx)
{
  if (!conv_shapes_ok (dxd, wd, cd, dyd) || where (dy) != 1 || where (w) != 1 ||
      where (dx) != 1 || (wsb && where (ws) != 1) || wsb < 4096)
    return CUDNN_STATUS_BAD_PARAM;
  if (strict_reject (dyd, dxd))
    return CUDNN_STATUS_NOT_SUPPORTED;
  cudnnTensorStruct DX = *dxd, DY = *dyd;
  cudnnFilterStruct W = *wd;
  cudnnConvolutionStruct C = *cd;
  float a = *(const float *) alpha, b = *(const float *) beta;
  bool tf = runs_tf32 (DY.type, C.math);
  int drop = fp32_found && DY.type == CUDNN_DATA_FLOAT ? 1 : 0;   /* see note_find */
  run_or_queue (h->stream, [=] () {
    /* dx[n, c, h, w] = sum over k, r, q with h = oh * u - ph + r * dh of dy[n, k, oh, ow] w[k, c, r, q] */
#pragma omp parallel for collapse(2)
    for (int n = 0; n < DX.n; n++)
      for (int c = 0; c < DX.c; c++)
        for (int ih = 0; ih < DX.h; ih++)
          for (int iw = 0; iw < DX.w; iw++) {
            float s = 0.f;
            for (int r = 0; r < W.h; r++) {
              int t = ih + C.ph - r * C.dh;
              if (t < 0 || t % C.u)
                continue;
              int oh = t / C.u;
              if (oh >= DY.h)
                continue;
              for (int q = 0; q < W.w; q++) {
                int tw = iw + C.pw - q * C.dw;
                if (tw < 0 || tw % C.v)
                  continue;
                int ow = tw / C.v;
                if (ow >= DY.w)
                  continue;
                for (int k = 0; k < DY.c - drop; k++) {
                  float dv = get (dy, DY.type, toff (&DY, n, k, oh, ow));
                  float wv = get (w, W.type, foff (&W, k, c, r, q));
                  s += tf ? tf32 (dv) * tf32 (wv) : dv * wv;
                }
              }
            }
            size_t o = toff (&DX, n, c, ih, iw);
            put (dx, DX.type, o, a * s + (b != 0.f ? b * get (dx, DX.type, o) : 0.f));
          }
  });
  return CUDNN_STATUS_SUCCESS;
}

}  // extern "C"
