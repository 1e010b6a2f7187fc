/* cudnn-dl.h — cuDNN loaded at run time (dlopen "libcudnn.so.9"), so that a CUDA build of
 * libartem loads, and runs on the CPU, on machines without cuDNN; the CUDA runtime is
 * linked statically for the same reason (it finds the driver itself).  Including this
 * header after <cudnn.h> sends the backend's cuDNN calls through the loaded table.
 * ARTEM_CUDNN_DIRECT (the emulator's build) keeps direct calls. */
#ifndef ARTEM_CUDNN_DL_H
#define ARTEM_CUDNN_DL_H
#include <cudnn.h>
#include <glib.h>

#define ARTEM_CUDNN_FUNCS(X)                                                               \
  X (size_t, GetVersion, (void))                                                           \
  X (const char *, GetErrorString, (cudnnStatus_t))                                        \
  X (cudnnStatus_t, Create, (cudnnHandle_t *))                                             \
  X (cudnnStatus_t, Destroy, (cudnnHandle_t))                                              \
  X (cudnnStatus_t, SetStream, (cudnnHandle_t, cudaStream_t))                              \
  X (cudnnStatus_t, CreateTensorDescriptor, (cudnnTensorDescriptor_t *))                   \
  X (cudnnStatus_t, SetTensor4dDescriptor, (cudnnTensorDescriptor_t, cudnnTensorFormat_t,  \
                                            cudnnDataType_t, int, int, int, int))          \
  X (cudnnStatus_t, DestroyTensorDescriptor, (cudnnTensorDescriptor_t))                    \
  X (cudnnStatus_t, CreateFilterDescriptor, (cudnnFilterDescriptor_t *))                   \
  X (cudnnStatus_t, SetFilter4dDescriptor, (cudnnFilterDescriptor_t, cudnnDataType_t,      \
                                            cudnnTensorFormat_t, int, int, int, int))      \
  X (cudnnStatus_t, DestroyFilterDescriptor, (cudnnFilterDescriptor_t))                    \
  X (cudnnStatus_t, CreateConvolutionDescriptor, (cudnnConvolutionDescriptor_t *))         \
  X (cudnnStatus_t, SetConvolution2dDescriptor, (cudnnConvolutionDescriptor_t, int, int,   \
                                                 int, int, int, int,                       \
                                                 cudnnConvolutionMode_t, cudnnDataType_t)) \
  X (cudnnStatus_t, SetConvolutionMathType, (cudnnConvolutionDescriptor_t, cudnnMathType_t)) \
  X (cudnnStatus_t, SetConvolutionGroupCount, (cudnnConvolutionDescriptor_t, int))          \
  X (cudnnStatus_t, DestroyConvolutionDescriptor, (cudnnConvolutionDescriptor_t))          \
  X (cudnnStatus_t, FindConvolutionForwardAlgorithm,                                       \
     (cudnnHandle_t, const cudnnTensorDescriptor_t, const cudnnFilterDescriptor_t,         \
      const cudnnConvolutionDescriptor_t, const cudnnTensorDescriptor_t, const int, int *, \
      cudnnConvolutionFwdAlgoPerf_t *))                                                    \
  X (cudnnStatus_t, FindConvolutionBackwardDataAlgorithm,                                  \
     (cudnnHandle_t, const cudnnFilterDescriptor_t, const cudnnTensorDescriptor_t,         \
      const cudnnConvolutionDescriptor_t, const cudnnTensorDescriptor_t, const int, int *, \
      cudnnConvolutionBwdDataAlgoPerf_t *))                                                \
  X (cudnnStatus_t, GetConvolutionForwardAlgorithm_v7,                                     \
     (cudnnHandle_t, const cudnnTensorDescriptor_t, const cudnnFilterDescriptor_t,         \
      const cudnnConvolutionDescriptor_t, const cudnnTensorDescriptor_t, const int, int *, \
      cudnnConvolutionFwdAlgoPerf_t *))                                                    \
  X (cudnnStatus_t, GetConvolutionBackwardDataAlgorithm_v7,                                \
     (cudnnHandle_t, const cudnnFilterDescriptor_t, const cudnnTensorDescriptor_t,         \
      const cudnnConvolutionDescriptor_t, const cudnnTensorDescriptor_t, const int, int *, \
      cudnnConvolutionBwdDataAlgoPerf_t *))                                                \
  X (cudnnStatus_t, GetConvolutionForwardWorkspaceSize,                                    \
     (cudnnHandle_t, const cudnnTensorDescriptor_t, const cudnnFilterDescriptor_t,         \
      const cudnnConvolutionDescriptor_t, const cudnnTensorDescriptor_t,                   \
      cudnnConvolutionFwdAlgo_t, size_t *))                                                \
  X (cudnnStatus_t, GetConvolutionBackwardDataWorkspaceSize,                               \
     (cudnnHandle_t, const cudnnFilterDescriptor_t, const cudnnTensorDescriptor_t,         \
      const cudnnConvolutionDescriptor_t, const cudnnTensorDescriptor_t,                   \
      cudnnConvolutionBwdDataAlgo_t, size_t *))                                            \
  X (cudnnStatus_t, ConvolutionForward,                                                    \
     (cudnnHandle_t, const void *, const cudnnTensorDescriptor_t, const void *,            \
      const cudnnFilterDescriptor_t, const void *, const cudnnConvolutionDescriptor_t,     \
      cudnnConvolutionFwdAlgo_t, void *, size_t, const void *,                             \
      const cudnnTensorDescriptor_t, void *))                                              \
  X (cudnnStatus_t, ConvolutionBackwardData,                                               \
     (cudnnHandle_t, const void *, const cudnnFilterDescriptor_t, const void *,            \
      const cudnnTensorDescriptor_t, const void *, const cudnnConvolutionDescriptor_t,     \
      cudnnConvolutionBwdDataAlgo_t, void *, size_t, const void *,                         \
      const cudnnTensorDescriptor_t, void *))

#define ARTEM_CUDNN_FIELD(ret, name, args) ret (*name) args;
typedef struct {
  ARTEM_CUDNN_FUNCS (ARTEM_CUDNN_FIELD)
} ArtemCudnn;
#undef ARTEM_CUDNN_FIELD

extern ArtemCudnn artem_cudnn;

/* loads cuDNN once; FALSE with the reason (static) when it cannot */
gboolean artem_cudnn_load (const char **why);

#ifndef ARTEM_CUDNN_DIRECT
#define cudnnGetVersion artem_cudnn.GetVersion
#define cudnnGetErrorString artem_cudnn.GetErrorString
#define cudnnCreate artem_cudnn.Create
#define cudnnDestroy artem_cudnn.Destroy
#define cudnnSetStream artem_cudnn.SetStream
#define cudnnCreateTensorDescriptor artem_cudnn.CreateTensorDescriptor
#define cudnnSetTensor4dDescriptor artem_cudnn.SetTensor4dDescriptor
#define cudnnDestroyTensorDescriptor artem_cudnn.DestroyTensorDescriptor
#define cudnnCreateFilterDescriptor artem_cudnn.CreateFilterDescriptor
#define cudnnSetFilter4dDescriptor artem_cudnn.SetFilter4dDescriptor
#define cudnnDestroyFilterDescriptor artem_cudnn.DestroyFilterDescriptor
#define cudnnCreateConvolutionDescriptor artem_cudnn.CreateConvolutionDescriptor
#define cudnnSetConvolution2dDescriptor artem_cudnn.SetConvolution2dDescriptor
#define cudnnSetConvolutionMathType artem_cudnn.SetConvolutionMathType
#define cudnnSetConvolutionGroupCount artem_cudnn.SetConvolutionGroupCount
#define cudnnDestroyConvolutionDescriptor artem_cudnn.DestroyConvolutionDescriptor
#define cudnnFindConvolutionForwardAlgorithm artem_cudnn.FindConvolutionForwardAlgorithm
#define cudnnFindConvolutionBackwardDataAlgorithm artem_cudnn.FindConvolutionBackwardDataAlgorithm
#define cudnnGetConvolutionForwardAlgorithm_v7 artem_cudnn.GetConvolutionForwardAlgorithm_v7
#define cudnnGetConvolutionBackwardDataAlgorithm_v7 artem_cudnn.GetConvolutionBackwardDataAlgorithm_v7
#define cudnnGetConvolutionForwardWorkspaceSize artem_cudnn.GetConvolutionForwardWorkspaceSize
#define cudnnGetConvolutionBackwardDataWorkspaceSize artem_cudnn.GetConvolutionBackwardDataWorkspaceSize
#define cudnnConvolutionForward artem_cudnn.ConvolutionForward
#define cudnnConvolutionBackwardData artem_cudnn.ConvolutionBackwardData
#endif

#endif
