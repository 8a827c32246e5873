"""The training dataset feeds the network exactly what the runtime's preprocessing produces."""

import numpy as np

from tests.markers import data_path, requires_data, requires_torch

pytestmark = [requires_torch, requires_data]


def test_validation_sample_equals_runtime_network_input():
    import cv2
    from linknet_edge.data import open_dataset
    from linknet_edge.preprocessing import to_network_input
    from linknet_edge.training import SegmentationDataset
    reader = open_dataset("camvid", data_path("camvid"), "val")
    spec = reader.make_spec(input_size=(96, 128))
    image, labels = SegmentationDataset(reader, spec, train=False)[0]
    frame_bgr = cv2.imread(reader.paths(0)[0])
    assert np.array_equal(image.numpy(), to_network_input([frame_bgr], spec)[0])
    assert labels.dtype.is_floating_point is False and tuple(labels.shape) == (96, 128)


def test_training_samples_change_with_the_epoch_and_repeat_within_it():
    from linknet_edge.data import open_dataset
    from linknet_edge.training import SegmentationDataset
    reader = open_dataset("camvid", data_path("camvid"), "train")
    dataset = SegmentationDataset(reader, reader.make_spec(input_size=(64, 96)), train=True,
                                  indices=[0, 1], seed=5)
    dataset.set_epoch(1)
    first, again = dataset[0], dataset[0]
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(first, again))
    labels = {tuple(dataset[0][1].flatten().tolist())}
    for epoch in (2, 3, 4, 5):
        dataset.set_epoch(epoch)
        labels.add(tuple(dataset[0][1].flatten().tolist()))
    assert len(labels) > 1
    assert set(np.unique(first[1].numpy())) <= set(range(12))
