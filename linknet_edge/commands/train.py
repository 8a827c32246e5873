"""``linknet-edge train``: train LinkNet (resumable; multi-GPU/multi-node under torchrun)."""

from ..arguments import DATASET_KINDS, add_verb, size_type

EXAMPLES = [
    "# quick CPU check: 8 frames, 2 epochs at 224x160",
    "linknet-edge train --dataset camvid --data-root data/camvid --size 224x160 --epochs 2 \\",
    "    --limit-train 8 --limit-val 8 --workers 0 --out runs/smoke --device cpu",
    "# the paper's setting (768x576, 300 epochs) on a GPU, mixed precision",
    "linknet-edge train --dataset camvid --data-root data/camvid --size 768x576 --epochs 300 \\",
    "    --batch-size 8 --lr 5e-4 --weight-decay 2e-4 --schedule poly --device cuda --amp \\",
    "    --pretrained-encoder resnet18-f37072fd.pth --cache-dir cache --out runs/camvid-768",
    "# continue it after an interruption (same options, reads runs/camvid-768/last.pt)",
    "linknet-edge train ... --out runs/camvid-768 --resume",
    "# 4 GPUs on one machine; add --nnodes/--node_rank/--master_addr for several machines",
    "torchrun --nproc_per_node=4 -m linknet_edge.cli train --dataset cityscapes \\",
    "    --data-root data/cityscapes --size 1024x512 --batch-size 4 --device cuda --amp",
]


def add_parser(subparsers):
    parser = add_verb(subparsers, "train", "train LinkNet on CamVid, Cityscapes or a folder",
                      EXAMPLES)
    add = parser.add_argument
    add("--dataset", default="camvid", choices=DATASET_KINDS,
        help="dataset layout (default camvid)")
    add("--data-root", required=True, metavar="DIR", help="dataset folder")
    add("--size", type=size_type, metavar="WxH", help="network input, multiples of 32 (480x352)")
    add("--arch", help="architecture (default linknet; see `linknet-edge model --list`)")
    add("--epochs", type=int, help="epochs in total, resumed ones included (300)")
    add("--batch-size", type=int, help="frames per batch and process (8)")
    add("--lr", type=float, help="base learning rate (5e-4)")
    add("--weight-decay", type=float, help="weight decay, really applied (2e-4)")
    add("--optimizer", choices=("adam", "adamw", "sgd"),
        help="adam: L2 in the gradient (default); adamw: decoupled decay; sgd: with momentum")
    add("--momentum", type=float, help="SGD momentum (0.9); refused for adam/adamw")
    add("--schedule", choices=("poly", "step", "cosine", "constant"),
        help="per-epoch LR schedule (poly, power 0.9)")
    add("--lr-step", type=int, metavar="EPOCHS", help="step schedule: x0.1 every EPOCHS (100)")
    add("--no-flip", dest="flip", action="store_false", default=None,
        help="no random horizontal flip")
    add("--out", metavar="DIR", help="output folder (runs/train)")
    add("--resume", nargs="?", const=True, metavar="CKPT",
        help="continue from OUT/last.pt, or from CKPT")
    add("--save-every", type=int, metavar="N", help="also keep epoch_NNN.pt every N epochs")
    add("--save-train-conf", action="store_true", default=None,
        help="also plot the training confusion matrix")
    add("--seed", type=int, help="seed of weights, data order and augmentation (0)")
    add("--workers", type=int, help="DataLoader worker processes (2)")
    add("--cache-dir", metavar="DIR", help="decode the resized splits once into DIR")
    add("--pretrained-encoder", metavar="FILE",
        help="torchvision-format ResNet-18 state_dict for the encoder")
    add("--amp", action="store_true", default=None, help="mixed precision (CUDA only)")
    add("--deterministic", action="store_true", default=None,
        help="deterministic kernels (bitwise repeatable, slower on GPU)")
    add("--device", help="auto (default), cpu, cuda or cuda:N")
    add("--limit-train", type=int, metavar="N", help="use only the first N train frames")
    add("--limit-val", type=int, metavar="N", help="use only the first N val frames")
    return parser


def run(args):
    from linknet_edge.training import TrainConfig, train
    options = {name: value for name, value in vars(args).items() if name in TrainConfig.OPTIONS}
    result = train(options)
    if result.is_main:
        print(result.format_table())
    return 0
