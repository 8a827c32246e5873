"""Which outputs belong to which input when one run segments several sources.

With one input every output is its own. With N inputs:

- an output containing ``{stream}`` is a template every input gets, ``{stream}`` replaced by the
  input's position (0, 1, ...): ``out_{stream}.mp4``, ``masks://masks/{stream}``;
- the other outputs go one per input, in order (``-i a -i b -o a.mp4 -o b.mp4``), so there
  must be none or exactly N of them (``none`` keeps an input without one; a lone ``none`` is
  none for all);
- a list of lists (Python only) gives each input its own list.

Anything else is ambiguous and refused in one line, as is one file, folder or port given to two
inputs.
"""

from linknet_edge.errors import SinkError

__all__ = ["STREAM_FIELD", "outputs_per_stream"]

#: the placeholder of an output template
STREAM_FIELD = "{stream}"

_NONE = ("none", "null", "none://")


def _as_list(outputs):
    if outputs is None:
        return []
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def _is_none(uri):
    return str(uri).strip().lower() in _NONE


def outputs_per_stream(outputs, count):
    """``count`` lists of sink URIs, one per input, from ``outputs`` (a URI, a list of URIs
    and templates, or a list of ``count`` lists); ``["none"]`` for an input without any.
    ``SinkError`` for an ambiguous mapping."""
    given = _as_list(outputs)
    if any(isinstance(item, (list, tuple)) for item in given):
        if len(given) != count:
            raise SinkError("outputs: {} lists of outputs for {} inputs; give one list per "
                            "input".format(len(given), count))
        per_stream = [[str(uri) for uri in _as_list(item)] for item in given]
    else:
        templates = [str(uri) for uri in given if STREAM_FIELD in str(uri)]
        plain = [str(uri) for uri in given if STREAM_FIELD not in str(uri)]
        if count > 1 and len(plain) == 1 and _is_none(plain[0]):
            plain = []
        if count > 1 and plain and len(plain) != count:
            raise SinkError(
                "--output: {} output{} without {} for {} inputs; give one --output per --input "
                "(in order, 'none' for an input without one) or a template such as "
                "out_{}.mp4".format(len(plain), "" if len(plain) == 1 else "s", STREAM_FIELD,
                                    count, STREAM_FIELD))
        per_stream = [[t.replace(STREAM_FIELD, str(n)) for t in templates]
                      + (plain if count == 1 else plain[n:n + 1]) for n in range(count)]
    per_stream = [[uri for uri in uris if not _is_none(uri)] or ["none"] for uris in per_stream]
    _refuse_shared(per_stream)
    return per_stream


def _refuse_shared(per_stream):
    """One file, folder or port written by two inputs would interleave their frames."""
    owner = {}
    for number, uris in enumerate(per_stream):
        for uri in uris:
            key = uri.strip().rstrip("/")
            if _is_none(key) or key.lower().startswith("display://"):
                continue   # nothing written; each input gets its own window
            if key in owner and owner[key] != number:
                raise SinkError("{}: given to inputs {} and {}; each input needs its own output "
                                "(a template such as out_{}.mp4 makes one per input)".format(
                                    uri, owner[key], number, STREAM_FIELD))
            owner[key] = number
