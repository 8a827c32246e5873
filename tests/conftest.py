"""Session-wide fixtures shared by every test area. Add fixtures here; don't rewrite others'."""

import os

import pytest


def make_tiny_checkpoint(directory, arch="linknet", classes=3, size=(64, 64), seed=0):
    """A 3-class LinkNet at 64x64 whose BatchNorm statistics are real, not the trivial 0/1:
    a few train-mode passes over synthetic street frames set them, and the BN scales/shifts are
    random, so the class maps vary over the image and a broken export cannot agree by chance."""
    torch = pytest.importorskip("torch")
    from linknet_edge.export.sample_images import synthetic_images
    from linknet_edge.weights import save_checkpoint
    from linknet_edge.model import model_from_spec
    from linknet_edge.preprocessing import to_network_input
    from linknet_edge.spec import ModelSpec
    spec = ModelSpec(arch, ["class{}".format(i) for i in range(classes)], input_size=size)
    torch.manual_seed(seed)
    model = model_from_spec(spec)
    batch = torch.from_numpy(to_network_input(synthetic_images(4), spec))
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = None  # cumulative average over the passes below
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.normal_(0.0, 0.2)
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(batch)
    path = os.path.join(str(directory), "{}.pt".format(arch))
    return save_checkpoint(path, model.eval(), spec)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    """Path of a tiny LinkNet checkpoint (3 classes, input 64x64, real BN statistics)."""
    return make_tiny_checkpoint(tmp_path_factory.mktemp("tiny_checkpoint"))


@pytest.fixture(scope="session")
def onnx_path(tmp_path_factory, tiny_checkpoint):
    """``tiny_checkpoint`` exported to ONNX with the float input (opset 13, static 1x3x64x64
    float32, outputs ``logits`` and ``classes``), not verified (the export tests do that)."""
    pytest.importorskip("onnx")
    from linknet_edge.export.onnx import export_onnx
    path = str(tmp_path_factory.mktemp("onnx") / "tiny.onnx")
    export_onnx(tiny_checkpoint, path, argmax=True, verify=False, input_form="float")
    return path


@pytest.fixture(scope="session")
def onnx_uint8_path(tmp_path_factory, tiny_checkpoint):
    """``tiny_checkpoint`` exported in the default deployment form: input 1x64x64x3 uint8 BGR,
    normalised in the graph; outputs ``logits`` and ``classes``; not verified."""
    pytest.importorskip("onnx")
    from linknet_edge.export.onnx import export_onnx
    path = str(tmp_path_factory.mktemp("onnx_uint8") / "tiny_uint8.onnx")
    export_onnx(tiny_checkpoint, path, argmax=True, verify=False)
    return path
