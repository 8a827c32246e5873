/* Stand-ins for the C entry points NVIDIA's TensorRT Python bindings link (libnvinfer.so.N,
   libnvonnxparser.so.N, libnvinfer_plugin.so.N, libnvparsers.so.8): each returns NULL or 0, which
   is enough for the REAL bindings to import so their API surface can be read. Nothing can be
   built or run: trt.Builder() and trt.Runtime() raise "factory function returned nullptr". */
#include <stddef.h>
void* createInferBuilder_INTERNAL(void* logger, int version) { return NULL; }
void* createInferRefitter_INTERNAL(void* engine, void* logger, int version) { return NULL; }
void* createInferRuntime_INTERNAL(void* logger, int version) { return NULL; }
void* createNvOnnxParserRefitter_INTERNAL(void* refitter, void* logger, int version) { return NULL; }
void* createNvOnnxParser_INTERNAL(void* network, void* logger, int version) { return NULL; }
void* getBuilderPluginRegistry(int kind) { return NULL; }
int getNvOnnxParserVersion(void) { return 0; }
void* getPluginRegistry(void) { return NULL; }
int initLibNvInferPlugins(void* logger, const char* name_space) { return 0; }
int getInferLibVersion(void) { return 0; }
/* 8.x also links the UFF and Caffe parsers of libnvparsers.so.8 (C++ names). */
void* _ZN11nvuffparser15createUffParserEv(void) { return NULL; }
void _ZN11nvuffparser8FieldMapC1EPKcPKvNS_9FieldTypeEi(void) { }
void* _ZN14nvcaffeparser117createCaffeParserEv(void) { return NULL; }
void _ZN14nvcaffeparser123shutdownProtobufLibraryEv(void) { }
