"""``linknet-edge import``: convert e-Lab pytorch-linknet checkpoints to ours."""

from ..arguments import add_verb, non_negative_int, size_type


def add_parser(subparsers):
    parser = add_verb(subparsers, "import", "convert an e-Lab pytorch-linknet checkpoint", [
        "linknet-edge import model-camvid.pth -o camvid.pt --dataset camvid --drop-output 11",
        "linknet-edge import model-cs.pth -o cs.pt --dataset cityscapes --size 1024x512"],
        description="Convert a checkpoint written by e-Lab's pytorch-linknet (either naming) "
                    "into a linknet-edge checkpoint. Its pickled model object is never executed.")
    parser.add_argument("checkpoint", help="e-Lab .pth file (dict with state_dict, model_def)")
    parser.add_argument("-o", "--output", required=True, help="linknet-edge checkpoint to write")
    parser.add_argument("--dataset", default="camvid", choices=("camvid", "cityscapes"),
                        help="class names and colours to attach (a preset: camvid or "
                             "cityscapes) [camvid]")
    parser.add_argument("--size", type=size_type, default=None, metavar="WxH",
                        help="network input WxH recorded in the spec [the dataset's]")
    parser.add_argument("--drop-output", type=non_negative_int, action="append", default=[], metavar="INDEX",
                        help="remove this output channel, e.g. CamVid's void class 11, "
                             "repeatable [none]")
    return parser


def run(args):
    from linknet_edge.weights import import_elab_checkpoint
    from linknet_edge.data import preset_spec
    spec = preset_spec(args.dataset, input_size=args.size)
    path = import_elab_checkpoint(args.checkpoint, args.output, spec, args.drop_output)
    print("wrote {}".format(path))
    return 0
