"""ONNX export: skl2onnx converters for the skmlp estimators, and a hook for custom layers.

Importing this module registers a shape calculator, a converter and (for
the classifier) a parser for :class:`~skmlp.MLPLayerClassifier` and
:class:`~skmlp.MLPLayerRegressor` with skl2onnx, so that
``skl2onnx.to_onnx`` converts them on their own and inside scikit-learn
pipelines::

    import skmlp.onnx  # registers the converters
    from skl2onnx import to_onnx

    onx = to_onnx(model, X[:1].astype(np.float32), options={"zipmap": False})

The dependencies are the ``onnx`` extra: ``pip install 'skmlp[onnx]'``
(skl2onnx, onnx and onnxruntime). Without skl2onnx the import succeeds and
registers nothing; :func:`register` then explains what to install.

The graph computes in the dtype of its input (float32 for a float32 sample,
float64 for a float64 one), whatever dtype the model was fitted in. Each
layer becomes a few ONNX nodes: :class:`~skmlp.layers.Linear` a ``Gemm``,
the activations ``Sigmoid``, ``Tanh``, ``Relu`` (Identity adds none), the
output layers ``Softmax``, ``Sigmoid``, ``Exp`` (IdentityOutput adds none).
A layer of another class converts through its own ``to_onnx`` method, which
receives a :class:`GraphBuilder`; see :class:`GraphBuilder` for the
protocol.

Outputs: for the classifier ``label`` (int64, or string for string
classes; the 0/1 indicator matrix for multilabel ``y``) and
``probabilities`` (``predict_proba``: ``[1 - p, p]`` for a binary problem
with one logistic unit), or skl2onnx's ZipMap of them unless
``options={"zipmap": False}`` (multilabel models never get a ZipMap); for
the regressor ``variable`` of shape ``(n_samples, n_outputs_)``.
"""

import contextlib

import numpy as np

from skmlp._classifier import MLPLayerClassifier
from skmlp._network import _name
from skmlp._regressor import MLPLayerRegressor
from skmlp._targets import BinaryClasses, Continuous, Indicator, OneHotClasses
from skmlp.layers import (
    ExpOutput,
    Identity,
    IdentityOutput,
    Linear,
    Logistic,
    LogisticOutput,
    ReLU,
    SoftmaxOutput,
    Tanh,
)

__all__ = ["GraphBuilder", "register"]

_ALIASES = {
    MLPLayerClassifier: "SkmlpMLPLayerClassifier",
    MLPLayerRegressor: "SkmlpMLPLayerRegressor",
}


def _require_skl2onnx():
    try:
        import skl2onnx
    except ImportError as exc:
        raise ImportError(
            "skmlp.onnx needs skl2onnx, onnx and onnxruntime, the optional 'onnx' "
            "dependencies: pip install 'skmlp[onnx]'."
        ) from exc
    return skl2onnx


class GraphBuilder:
    """Adds nodes and constants to the ONNX graph being converted: what a layer's hook uses.

    A layer class that the converter does not know gets exported through
    its own method ``to_onnx(self, builder, x)``, where ``builder`` is this
    object and ``x`` the name of the layer's input in the graph, an array of
    shape ``(n_samples, n_in)`` in :attr:`dtype`. The method adds the nodes
    that compute the layer's prediction-mode ``forward`` and returns the
    name of its output, of shape ``(n_samples, n_out)``. An output layer's
    hook returns the prediction (``predict_proba`` of a classifier before
    its binary or multilabel post-processing, ``predict`` of a regressor).

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
        Gives unique names.
    container : skl2onnx.common._container.ModelComponentContainer
        Receives the nodes and initializers.
    dtype : numpy.dtype
        float32 or float64: the dtype the graph computes in.

    Attributes
    ----------
    dtype : numpy.dtype
        The dtype of every float tensor in the graph.
    opset : int
        The target opset of the main ONNX domain.

    Examples
    --------
    A leaky ReLU, ``max(x, 0) + alpha * min(x, 0)``, with its ONNX node:

    >>> import numpy as np
    >>> from skmlp.layers import Layer
    >>> class LeakyReLU(Layer):
    ...     def __init__(self, alpha=0.01):
    ...         super().__init__()
    ...         self.alpha = alpha
    ...
    ...     def forward(self, X, *, training=True):
    ...         if training:
    ...             self.X = X
    ...         return np.where(X > 0, X, self.alpha * X)
    ...
    ...     def backward(self, grad_out):
    ...         return np.where(self.X > 0, grad_out, self.alpha * grad_out)
    ...
    ...     def to_onnx(self, builder, x):
    ...         return builder.node("LeakyRelu", x, alpha=float(self.alpha))
    ...
    ...     def __repr__(self):
    ...         return f"LeakyReLU(alpha={self.alpha})"
    >>> LeakyReLU(0.1).forward(np.array([[-1.0, 2.0]]), training=False)
    array([[-0.1,  2. ]])

    A layer with parameters turns them into constants first, for example
    ``builder.node("Mul", x, builder.constant(self.params["scale"]))``.
    """

    def __init__(self, scope, container, dtype):
        self._scope = scope
        self._container = container
        self.dtype = np.dtype(dtype)
        self.opset = container.target_opset

    def _proto_type(self, dtype):
        from onnx import TensorProto

        dtype = np.dtype(dtype)
        if dtype.kind in "OUS":
            return TensorProto.STRING
        return {
            np.dtype(np.float32): TensorProto.FLOAT,
            np.dtype(np.float64): TensorProto.DOUBLE,
            np.dtype(np.int64): TensorProto.INT64,
            np.dtype(np.bool_): TensorProto.BOOL,
        }[dtype]

    def constant(self, value, name="constant", *, dtype=None):
        """Add a constant tensor; return its name.

        Parameters
        ----------
        value : array-like
            The values; a float array is stored in :attr:`dtype`.
        name : str, default="constant"
            Prefix of the (unique) name.
        dtype : numpy.dtype, default=None
            Store in this dtype instead (int64 or bool, say). Strings are
            stored as ONNX strings.

        Returns
        -------
        name : str
        """
        value = np.asarray(value)
        if dtype is not None:
            value = value.astype(dtype)
        elif value.dtype.kind == "f":
            value = value.astype(self.dtype)
        unique = self._scope.get_unique_variable_name(name)
        if value.dtype.kind in "OU":
            content = np.array([str(v).encode("utf-8") for v in value.ravel()])
        else:
            content = value.ravel()
        self._container.add_initializer(
            unique, self._proto_type(value.dtype), list(value.shape), content
        )
        return unique

    def node(self, op_type, *inputs, domain="", **attributes):
        """Add one node with one output; return the output's name.

        Parameters
        ----------
        op_type : str
            The ONNX operator, such as ``"Relu"`` or ``"Gemm"``.
        *inputs : str
            Names of its inputs (graph inputs, constants or outputs of
            earlier nodes).
        domain : str, default=""
            Operator domain; ``""`` is the main ONNX domain.
        **attributes
            The operator's attributes, such as ``alpha=0.01`` or ``axis=1``.

        Returns
        -------
        name : str
            The name of the node's output.
        """
        output = self._scope.get_unique_variable_name(op_type.lower())
        self._add(op_type, list(inputs), [output], domain=domain, **attributes)
        return output

    def _add(self, op_type, inputs, outputs, *, domain="", **attributes):
        """Add a node writing to given output names (the operator's declared outputs)."""
        self._container.add_node(
            op_type,
            inputs,
            outputs,
            op_domain=domain,
            name=self._scope.get_unique_operator_name(op_type),
            **attributes,
        )

    def _cast(self, x, dtype):
        return self.node("Cast", x, to=self._proto_type(dtype))


# -- the built-in layers -------------------------------------------------------------


def _linear(layer, builder, x):
    W = builder.constant(layer.params["coef"], "coef")
    b = builder.constant(layer.params["intercept"], "intercept")
    return builder.node("Gemm", x, W, b)


def _passthrough(layer, builder, x):
    return x


def _unary(op_type):
    def convert(layer, builder, x):
        return builder.node(op_type, x)

    return convert


def _softmax(layer, builder, x):
    return builder.node("Softmax", x, axis=1)


#: The conversion of each built-in layer class (exact classes: a subclass
#: may compute something else, so it needs its own ``to_onnx``).
_BUILT_IN = {
    Linear: _linear,
    Logistic: _unary("Sigmoid"),
    Tanh: _unary("Tanh"),
    ReLU: _unary("Relu"),
    Identity: _passthrough,
    LogisticOutput: _unary("Sigmoid"),
    ExpOutput: _unary("Exp"),
    IdentityOutput: _passthrough,
    SoftmaxOutput: _softmax,
}


def _layer_nodes(estimator, builder, x):
    """Add every layer's nodes; return the name of the network's prediction."""
    for position, layer in enumerate(estimator.layers_):
        hook = getattr(layer, "to_onnx", None)
        if callable(hook):
            x = hook(builder, x)
        elif type(layer) in _BUILT_IN:
            x = _BUILT_IN[type(layer)](layer, builder, x)
        else:
            raise TypeError(
                f"{_name(position, layer)} of {type(estimator).__name__} has no ONNX "
                f"conversion: give {type(layer).__name__} a method to_onnx(self, builder, x) "
                "that adds its nodes and returns its output's name (see "
                "skmlp.onnx.GraphBuilder)."
            )
        if not isinstance(x, str):
            raise TypeError(
                f"{_name(position, layer)}: to_onnx returned {type(x).__name__}; it must "
                "return the name (str) of the layer's output in the graph."
            )
    return x


def _input_nodes(operator, builder):
    """The graph inputs cast to the graph's dtype, side by side in one matrix."""
    columns = []
    for variable in operator.inputs:
        name = variable.full_name
        if _float_dtype(variable.type) != builder.dtype:  # int64, bool or the other float
            name = builder._cast(name, builder.dtype)
        columns.append(name)
    if len(columns) == 1:
        return columns[0]
    return builder.node("Concat", *columns, axis=1)


def _float_dtype(tensor_type):
    """float32 or float64 for a float tensor type, None for any other."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    if isinstance(tensor_type, DoubleTensorType):
        return np.dtype(np.float64)
    if isinstance(tensor_type, FloatTensorType):
        return np.dtype(np.float32)
    return None


def _graph_dtype(operator):
    """float64 if any input is double, else float32 (skl2onnx's convention)."""
    dtypes = {_float_dtype(v.type) for v in operator.inputs}
    return np.dtype(np.float64) if np.dtype(np.float64) in dtypes else np.dtype(np.float32)


# -- the estimators ------------------------------------------------------------------


def _onnx_classes(classes):
    """The class labels as an ONNX-storable array: int64 (integers, integral floats), or strings."""
    classes = np.asarray(classes)
    if classes.dtype.kind in "iubf":  # a classifier's float labels are integral
        return classes.astype(np.int64)
    if all(isinstance(c, str) for c in classes):
        return classes.astype(str)
    raise ValueError(
        f"Class labels of dtype {classes.dtype} ({classes!r}) cannot be exported to "
        "ONNX: only integer or string labels."
    )


def _convert_classifier(scope, operator, container):
    estimator = operator.raw_operator
    builder = GraphBuilder(scope, container, _graph_dtype(operator))
    P = _layer_nodes(estimator, builder, _input_nodes(operator, builder))
    targets = estimator._model.targets
    label_out, proba_out = (v.full_name for v in operator.outputs[:2])
    if type(targets) is Indicator:
        above = builder.node("Greater", P, builder.constant(np.array(0.5)))
        builder._add("Cast", [above], [label_out], to=builder._proto_type(np.int64))
        builder._add("Identity", [P], [proba_out])
        return
    if type(targets) is BinaryClasses:  # one logistic unit: [1 - p, p], label where p > 0.5
        complement = builder.node("Sub", builder.constant(np.array(1.0)), P)
        builder._add("Concat", [complement, P], [proba_out], axis=1)
        above = builder.node("Greater", P, builder.constant(np.array(0.5)))
        shape = builder.constant(np.array([-1]), "shape", dtype=np.int64)
        index = builder.node("Reshape", builder._cast(above, np.int64), shape)
    elif type(targets) is OneHotClasses:
        builder._add("Identity", [P], [proba_out])
        index = builder.node("ArgMax", P, axis=1, keepdims=0)
    else:
        raise TypeError(f"Unknown target encoding {targets!r} of {estimator!r}.")
    classes = builder.constant(_label_classes(scope, estimator), "classes")
    builder._add("Gather", [classes, index], [label_out], axis=0)


def _label_classes(scope, estimator):
    """The labels of the ``label`` output: ``classes_``, or their indices with ``nocl``."""
    if scope.get_options(estimator, {"nocl": False})["nocl"]:
        return np.arange(len(estimator.classes_), dtype=np.int64)
    return _onnx_classes(estimator.classes_)


def _convert_regressor(scope, operator, container):
    estimator = operator.raw_operator
    builder = GraphBuilder(scope, container, _graph_dtype(operator))
    prediction = _layer_nodes(estimator, builder, _input_nodes(operator, builder))
    if type(estimator._model.targets) is not Continuous:
        raise TypeError(f"Unknown target encoding of {estimator!r}.")
    builder._add("Identity", [prediction], [operator.outputs[0].full_name])


def _classifier_shapes(operator):
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )

    estimator = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    multilabel = type(estimator._model.targets) is Indicator
    if multilabel:
        label = Int64TensorType([n_rows, len(estimator.classes_)])
    elif _label_classes(operator.scope_inst, estimator).dtype.kind == "U":
        label = StringTensorType([n_rows])
    else:
        label = Int64TensorType([n_rows])
    proba = DoubleTensorType if _graph_dtype(operator) == np.float64 else FloatTensorType
    operator.outputs[0].type = label
    operator.outputs[1].type = proba([n_rows, len(estimator.classes_)])


def _regressor_shapes(operator):
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    estimator = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    out = DoubleTensorType if _graph_dtype(operator) == np.float64 else FloatTensorType
    operator.outputs[0].type = out([n_rows, estimator.n_outputs_])


def _parse_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier parser (label, probabilities, ZipMap); no ZipMap for multilabel."""
    from skl2onnx._parse import _parse_sklearn_classifier
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, guess_tensor_type

    if type(model._model.targets) is not Indicator:
        return _parse_sklearn_classifier(scope, model, inputs, custom_parsers=custom_parsers)
    operator = scope.declare_local_operator(_ALIASES[MLPLayerClassifier], model)
    operator.inputs = inputs
    operator.outputs.append(scope.declare_local_variable("label", Int64TensorType()))
    proba_type = guess_tensor_type(inputs[0].type) if inputs else FloatTensorType()
    operator.outputs.append(scope.declare_local_variable("probabilities", proba_type))
    return operator.outputs


def register():
    """Register the skmlp estimators' converters with skl2onnx (done on import).

    Registers, with :func:`skl2onnx.update_registered_converter`, a shape
    calculator and a converter for :class:`~skmlp.MLPLayerClassifier`
    (with a parser and the ``zipmap`` option) and
    :class:`~skmlp.MLPLayerRegressor`. Calling it again changes nothing.

    Raises
    ------
    ImportError
        When skl2onnx is not installed (``pip install 'skmlp[onnx]'``).

    Examples
    --------
    >>> import skmlp.onnx
    >>> skmlp.onnx.register()  # doctest: +SKIP
    >>> from skl2onnx import to_onnx  # doctest: +SKIP
    >>> onx = to_onnx(clf, X[:1].astype("float32"), options={"zipmap": False})  # doctest: +SKIP
    """
    skl2onnx = _require_skl2onnx()
    skl2onnx.update_registered_converter(
        MLPLayerClassifier,
        _ALIASES[MLPLayerClassifier],
        _classifier_shapes,
        _convert_classifier,
        parser=_parse_classifier,
        options={"zipmap": [True, False, "columns"], "nocl": [False, True]},
    )
    skl2onnx.update_registered_converter(
        MLPLayerRegressor,
        _ALIASES[MLPLayerRegressor],
        _regressor_shapes,
        _convert_regressor,
    )


with contextlib.suppress(ImportError):  # without the extra, importing registers nothing
    register()
