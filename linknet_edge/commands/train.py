"""``linknet-edge train``: train LinkNet (resumable; multi-GPU/multi-node under torchrun)."""

import sys

from ..arguments import (add_dataset_option, add_verb, device_type, non_negative_float,
                         non_negative_int, positive_float, positive_int, seed_type, size_type)

EXAMPLES = [
    "# quick CPU check: 8 frames, 2 epochs at 224x160",
    "linknet-edge train --dataset camvid --data-root data/camvid --size 224x160 --epochs 2 \\",
    "    --limit-train 8 --limit-val 8 --workers 0 --out runs/smoke --device cpu",
    "# can the pipeline memorise 4 frames? (fails with exit 1 below 95 % pixel accuracy)",
    "linknet-edge train --dataset camvid --data-root data/camvid --size 160x128 --overfit 4 \\",
    "    --batch-size 4 --out runs/overfit",
    "# the paper's setting (768x576, 300 epochs) on a GPU, mixed precision",
    "linknet-edge train --dataset camvid --data-root data/camvid --size 768x576 --epochs 300 \\",
    "    --batch-size 8 --lr 5e-4 --weight-decay 2e-4 --schedule poly --device cuda --amp \\",
    "    --pretrained-encoder resnet18-f37072fd.pth --cache-dir cache --out runs/camvid-768",
    "# continue it after an interruption (the saved options are reused; flags override them)",
    "linknet-edge train --out runs/camvid-768 --resume",
    "# fine-tune at 480x352 from a run at 224x160 (new optimizer and schedule, epoch 1)",
    "linknet-edge train --dataset camvid --data-root data/camvid --size 480x352 --epochs 20 \\",
    "    --init-weights runs/camvid-224/best.pt --out runs/camvid-480",
    "# 4 GPUs on one machine; add --nnodes/--node_rank/--master_addr for several machines",
    "torchrun --nproc_per_node=4 -m linknet_edge.cli train --dataset cityscapes \\",
    "    --data-root data/cityscapes --size 1024x512 --batch-size 4 --device cuda --amp",
]


def add_parser(subparsers):
    parser = add_verb(subparsers, "train", "train LinkNet on CamVid, Cityscapes or a folder",
                      EXAMPLES)
    add = parser.add_argument
    add_dataset_option(parser, default=None)  # TrainConfig applies it, after --resume
    add("--data-root", metavar="DIR", help="dataset folder (required unless --resume)")
    add("--size", type=size_type, metavar="WxH", help="network input, multiples of 32 [480x352]")
    add("--arch", help="architecture (see `linknet-edge model --list`) [linknet]")
    add("--epochs", type=positive_int, help="epochs in total, resumed ones included [300]")
    add("--batch-size", type=positive_int, metavar="N",
        help="frames per batch and process [8]")
    add("--lr", type=positive_float, help="base learning rate [5e-4]")
    add("--weight-decay", type=non_negative_float, help="weight decay, really applied [2e-4]")
    add("--optimizer", choices=("adam", "adamw", "sgd"),
        help="adam: L2 in the gradient; adamw: decoupled decay; sgd: with momentum [adam]")
    add("--momentum", type=non_negative_float, help="SGD momentum; refused for adam/adamw [0.9]")
    add("--schedule", choices=("poly", "step", "cosine", "constant"),
        help="per-epoch LR schedule [poly, power 0.9]")
    add("--lr-step", type=positive_int, metavar="EPOCHS",
        help="step schedule: x0.1 every EPOCHS [100]")
    add("--no-flip", dest="flip", action="store_false", default=None,
        help="no random horizontal flip")
    add("--out", metavar="DIR", help="output folder [runs/train]")
    add("--resume", nargs="?", const=True, metavar="CKPT",
        help="continue from OUT/last.pt, or from CKPT, with its saved options (flags given "
             "override them) [a new run]")
    add("--init-weights", metavar="CKPT",
        help="start a new run from the weights of a linknet-edge checkpoint (same architecture "
             "and classes, any --size) [none]")
    add("--overfit", type=positive_int, metavar="N",
        help="check: memorise the first N train frames (no augmentation, validated on them); "
             "exit 1 below 95 %% pixel accuracy [off]")
    add("--save-every", type=non_negative_int, metavar="N",
        help="also keep epoch_NNN.pt every N epochs [0: never]")
    add("--save-train-conf", action="store_true", default=None,
        help="also plot the training confusion matrix")
    add("--seed", type=seed_type, help="seed of weights, data order and augmentation [0]")
    add("--workers", type=non_negative_int, help="DataLoader worker processes [2]")
    add("--cache-dir", metavar="DIR", help="decode the resized splits once into DIR [none]")
    add("--pretrained-encoder", metavar="FILE",
        help="torchvision-format ResNet-18 state_dict for the encoder [random init]")
    add("--amp", action="store_true", default=None, help="mixed precision (CUDA only)")
    add("--deterministic", action="store_true", default=None,
        help="deterministic kernels (bitwise repeatable, slower on GPU)")
    add("--device", type=device_type, help="auto, cpu, cuda or cuda:N [auto]")
    add("--limit-train", type=positive_int, metavar="N",
        help="use only the first N train frames [all]")
    add("--limit-val", type=positive_int, metavar="N", help="use only the first N val frames [all]")
    return parser


def run(args):
    from linknet_edge.training import TrainConfig, TrainingStopped, train
    options = {name: value for name, value in vars(args).items() if name in TrainConfig.OPTIONS}
    try:
        result = train(options)
    except TrainingStopped as exc:
        sys.stderr.write("linknet-edge train: {}\n".format(exc))
        return exc.exit_code
    if result.is_main:
        print(result.format_table())
    return 0
