"""The LinkNet family: e-Lab's layer layout, sizes, variants and the registry."""

import pytest

from tests.markers import requires_torch

pytestmark = requires_torch

ARCHS = ["linknet", "linknet-res-dec", "linknet-nobypass"]


@pytest.mark.parametrize("classes,expected", [(12, 11534796), (20, 11535828)])
def test_parameter_count_matches_elab(classes, expected):
    from linknet_edge.model import build_model, count_parameters
    assert count_parameters(build_model("linknet", classes)) == expected


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("size", [(64, 64), (96, 160), (352, 480)])
def test_output_has_the_input_size(arch, size):
    import torch
    from linknet_edge.model import build_model
    model = build_model(arch, 3).eval()
    with torch.no_grad():
        out = model(torch.randn(1, 3, size[0], size[1]))
    assert tuple(out.shape) == (1, 3) + size


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("size,hint", [((60, 64), "64x64"), ((64, 100), "128x64"),
                                       ((360, 480), "480x384")])
def test_sizes_not_multiple_of_32_are_refused_with_the_fix(arch, size, hint):
    import torch
    from linknet_edge.errors import InputSizeError
    from linknet_edge.model import build_model
    model = build_model(arch, 3).eval()
    with pytest.raises(InputSizeError, match="multiple of 32: use " + hint):
        model(torch.zeros(1, 3, size[0], size[1]))


def test_decoder_skip_sums_follow_the_paper():
    """d1 = stem + dec1(d2): with bypass the stem reaches the head, without it it does not."""
    import torch
    from linknet_edge.model import build_model
    torch.manual_seed(0)
    with_skips = build_model("linknet", 3).eval()
    without = build_model("linknet-nobypass", 3).eval()
    without.load_state_dict(with_skips.state_dict())
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        features = with_skips.encoder(x)
        d = with_skips.decoder.decoder4(features[4]) + features[3]
        d = with_skips.decoder.decoder3(d) + features[2]
        d = with_skips.decoder.decoder2(d) + features[1]
        d = with_skips.decoder.decoder1(d) + features[0]
        assert torch.allclose(with_skips(x), with_skips.head(d), atol=1e-5)
        assert not torch.allclose(with_skips(x), without(x), atol=1e-3)


def test_stride_one_decoder_and_transposed_convs_only():
    import torch.nn as nn
    from linknet_edge.model import build_model
    model = build_model("linknet", 3)
    assert model.decoder.decoder1.tp_conv[0].stride == (1, 1)
    assert all(model.decoder.__getattr__("decoder%d" % i).tp_conv[0].stride == (2, 2)
               for i in (2, 3, 4))
    assert not any(isinstance(m, nn.Upsample) for m in model.modules())


def test_unknown_architecture_lists_choices():
    from linknet_edge.errors import SpecError
    from linknet_edge.model import build_model
    with pytest.raises(SpecError, match="did you mean 'linknet'.*choose from"):
        build_model("linknett", 3)


def test_summary_counts_macs_of_convolutions():
    from linknet_edge.model import build_model, summarize
    info = summarize(build_model("linknet", 12), (352, 480))
    assert info["output_shape"] == [1, 12, 352, 480]
    # ResNet-18 alone is 1.82 GMACs at 224x224; the encoder share scales with the area.
    assert 1.82 * 352 * 480 / 224 / 224 < info["gmacs"] < 9.0
