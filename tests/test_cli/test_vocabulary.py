"""One vocabulary across verbs: every option's help shows its default (or the option is
required), one spelling per concept, and each old spelling still works for a release, with one
warning. The Python API's renamed keywords likewise."""

import argparse
import logging
import re
import warnings

import pytest

from linknet_edge.arguments import DATASET_KINDS
from linknet_edge.cli import build_parser
from linknet_edge.deprecation import renamed_keywords


def _commands(parser, name="linknet-edge"):
    """(command line, parser) of every verb and sub-verb (bench latency, deploy triton, ...)."""
    found = [(name, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for verb, sub in action.choices.items():
                found.extend(_commands(sub, name + " " + verb))
    return found


COMMANDS = _commands(build_parser())


def _options(parser):
    """The visible options of a parser, by each of their spellings."""
    return dict((spelling, action) for action in parser._actions
                for spelling in action.option_strings if action.help != argparse.SUPPRESS)


#: concept -> (its one spelling, the old spellings, the commands that must offer it)
CONCEPTS = {
    "use only the first N frames / images": (
        "--limit", ("--max-frames", "--label-count", "--frames-limit"),
        ("evaluate", "run", "demo", "quantize", "bench accuracy")),
    "frames per inference call": (
        "--batch-size", ("--batch", "--batch_size", "--bs"),
        ("train", "evaluate", "run", "export", "bench latency")),
    "the backend(s) to run on": (
        "--backend", ("--backends",), ("evaluate", "run", "bench latency", "bench accuracy")),
    "the layout of --data-root": (
        "--dataset", ("--dataset-kind", "--kind"),
        ("train", "evaluate", "quantize", "bench accuracy")),
    "the resize cache folder": ("--cache-dir", ("--cache",), ("train", "evaluate")),
}


def _names():
    return [(name.replace("linknet-edge", "").strip(), parser) for name, parser in COMMANDS]


@pytest.mark.parametrize("name,parser", COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_option_help_shows_its_default_or_is_required(name, parser):
    missing = []
    for action in parser._actions:
        if not action.option_strings or action.nargs == 0 or action.help == argparse.SUPPRESS:
            continue  # positionals (always required), flags, hidden aliases
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            continue
        if action.required or re.search(r"\[[^\]]+\]\)?$|\brequired\b", action.help or ""):
            continue
        missing.append(action.option_strings[-1])
    assert not missing, "{}: help shows no [default] for {}".format(name, ", ".join(missing))


@pytest.mark.parametrize("concept", sorted(CONCEPTS))
def test_each_concept_has_one_spelling_in_every_verb(concept):
    spelling, old, where = CONCEPTS[concept]
    for name, parser in _names():
        options = _options(parser)
        stale = [o for o in old if o in options]
        assert not stale, "{}: {} is spelled {} (use {})".format(name, concept, stale, spelling)
        if name in where:
            assert spelling in options, "{} lacks {} ({})".format(name, spelling, concept)
            assert options[spelling].dest == spelling[2:].replace("-", "_")


def test_dataset_has_the_same_choices_and_default_everywhere():
    seen = 0
    for name, parser in _names():
        action = _options(parser).get("--dataset")
        if action is None or name == "import":  # import attaches a class preset, not a layout
            continue
        seen += 1
        assert tuple(action.choices) == DATASET_KINDS, name
        assert action.help.endswith("[camvid]"), name
        assert action.default in (None, "camvid"), name  # None: applied after --resume/--data-root
    assert seen >= 4


#: (command, old spelling, new spelling, a value or None for a flag, dest)
ALIASES = [
    (["run", "m.onnx", "-i", "clip.mp4"], "--max-frames", "--limit", "5", "limit"),
    (["run", "m.onnx", "-i", "clip.mp4"], "--batch", "--batch-size", "2", "batch_size"),
    (["evaluate", "m.onnx", "--data-root", "d"], "--cache", "--cache-dir", "c", "cache_dir"),
    (["export", "b.pt", "-o", "m.onnx"], "--batch", "--batch-size", "4", "batch_size"),
    (["quantize", "m.onnx", "--precision", "fp16", "-o", "h.onnx"], "--label-count", "--limit",
     "7", "limit"),
    (["bench", "latency", "m.onnx"], "--batch", "--batch-size", "2", "batch_size"),
    (["bench", "accuracy", "b.pt", "--data-root", "d"], "--backends", "--backend",
     "onnxruntime", "backend"),
]


@pytest.mark.parametrize("argv,old,new,value,dest", ALIASES,
                         ids=["{} {}".format(a[0][0], a[1]) for a in ALIASES])
def test_each_old_spelling_warns_once_and_still_works(argv, old, new, value, dest, caplog):
    with caplog.at_level(logging.WARNING, logger="linknet_edge.arguments"):
        current = build_parser().parse_args(argv + [new, value])
    assert not caplog.records
    with caplog.at_level(logging.WARNING, logger="linknet_edge.arguments"):
        parsed = build_parser().parse_args(argv + [old, value])
    assert getattr(parsed, dest) == getattr(current, dest)
    assert [r.getMessage() for r in caplog.records] == ["{} is deprecated, use {}".format(
        old, new)]
    assert old not in build_parser().format_help()


def test_a_repeated_old_spelling_warns_once_and_extends(caplog):
    with caplog.at_level(logging.WARNING, logger="linknet_edge.arguments"):
        args = build_parser().parse_args(["bench", "accuracy", "b.pt", "--data-root", "d",
                                          "--backends", "onnxruntime", "--backend", "pytorch",
                                          "--backends", "tensorrt-fp16"])
    assert args.backend == ["onnxruntime", "pytorch", "tensorrt-fp16"]
    assert len(caplog.records) == 1


@pytest.mark.parametrize("option,values", [("--size", ["64x64", "96x64"]),
                                           ("--backend", ["onnxruntime", "pytorch"])])
def test_repeatable_options_keep_every_value_in_both_forms(option, values):
    once = build_parser().parse_args(["bench", "latency", "m.onnx", option] + values)
    repeated = build_parser().parse_args(["bench", "latency", "m.onnx", option, values[0],
                                          option, values[1]])
    dest = option[2:]
    assert getattr(once, dest) == getattr(repeated, dest) and len(getattr(once, dest)) == 2


def test_renamed_python_keywords_warn_and_still_work():
    from linknet_edge.runtime.pipeline import StreamOptions
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        options = StreamOptions(batch=2, max_frames=3)
    assert (options.batch_size, options.limit) == (2, 3)
    assert sorted(str(w.message) for w in caught if w.category is DeprecationWarning) == [
        "StreamOptions.__init__(): keyword batch is deprecated, use batch_size",
        "StreamOptions.__init__(): keyword max_frames is deprecated, use limit"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert StreamOptions(batch_size=2, limit=3).limit == 3
    with pytest.raises(TypeError, match="both limit and its old name max_frames"):
        StreamOptions(limit=1, max_frames=2)


def test_renamed_keywords_keep_the_function_signature_and_name():
    @renamed_keywords(old="new")
    def function(new=1):
        """Doc."""
        return new
    assert function.__name__ == "function" and function.__doc__ == "Doc."
    with pytest.deprecated_call():
        assert function(old=5) == 5
