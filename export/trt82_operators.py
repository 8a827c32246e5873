"""ONNX operators the TensorRT 8.2 ONNX parser (JetPack 4.6) imports, and their restrictions.

Transcribed from onnx-tensorrt ``docs/operators.md``: "TensorRT 8.2 supports operators up to
Opset 13" (release/8.2-GA header); the operator rows were read from the same table as published
for release 8.4, whose supported/unsupported marks match for every operator LinkNet-Edge exports
(Conv, ConvTranspose, BatchNormalization, Relu, MaxPool, Add, Resize, ArgMax, Cast, shape ops,
QuantizeLinear/DequantizeLinear). Data only, stdlib only.
"""

__all__ = ["MAX_OPSET", "SUPPORTED_OPS", "RESTRICTIONS", "RESIZE_MODES",
           "RESIZE_COORDINATE_MODES"]

#: The newest default-domain opset TensorRT 8.2's parser accepts.
MAX_OPSET = 13

SUPPORTED_OPS = frozenset("""
Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool BatchNormalization Cast Ceil
Celu Clip Concat Constant ConstantOfShape Conv ConvTranspose Cos Cosh CumSum DepthToSpace
DequantizeLinear Div Dropout Einsum Elu Equal Erf Exp Expand EyeLike Flatten Floor Gather
GatherElements GatherND Gemm GlobalAveragePool GlobalLpPool GlobalMaxPool Greater GreaterOrEqual
GRU HardSigmoid Identity If ImageScaler InstanceNormalization IsNaN LeakyRelu Less LessOrEqual Log
LogSoftmax Loop LRN LSTM LpNormalization LpPool MatMul Max MaxPool Mean Min Mul Neg
NonMaxSuppression Not Or Pad ParametricSoftplus Pow PRelu QuantizeLinear RandomUniform
RandomUniformLike Range ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean
ReduceMin ReduceProd ReduceSum ReduceSumSquare Relu Reshape Resize ReverseSequence RNN Round
ScaledTanh Scan Scatter ScatterElements ScatterND Selu Shape Sigmoid Sign Sin Sinh Size Slice
Softmax Softplus Softsign SpaceToDepth Split Sqrt Squeeze Sub Sum Tan Tanh ThresholdedRelu Tile
TopK Transpose Unsqueeze Upsample Where Xor
""".split())

#: op -> restriction from the table, for ops the compatibility report checks in detail.
RESTRICTIONS = {
    "Conv": "2D or 3D convolutions only; weights W must be an initializer",
    "ConvTranspose": "2D or 3D deconvolutions only; weights W must be an initializer",
    "DequantizeLinear": "x_zero_point must be zero",
    "QuantizeLinear": "y_zero_point must be 0",
    "MaxPool": "2D or 3D pooling only; Indices output unsupported",
    "Resize": "modes nearest/linear; coordinate modes half_pixel, pytorch_half_pixel, "
              "tf_half_pixel_for_nn, asymmetric, align_corners",
}

RESIZE_MODES = ("nearest", "linear")
RESIZE_COORDINATE_MODES = ("half_pixel", "pytorch_half_pixel", "tf_half_pixel_for_nn",
                           "asymmetric", "align_corners")
