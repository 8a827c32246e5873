"""The configuration keys DeepStream documents, to check what ``deploy deepstream`` writes.

Gst-nvinfer ``[property]`` keys: the ``CONFIG_GROUP_INFER_*`` names of
``sources/gst-plugins/gst-nvinfer/gstnvinfer_property_parser.h``, published in NVIDIA's SDK API
reference (https://docs.nvidia.com/metropolis/deepstream/6.4/dev-guide/sdk-api/
gstnvinfer__property__parser_8h_source.html; the same list in 6.3, 7.0 and 8.0), read from
DeepStream 6.3's sources (hiennguyen9874/deepstream-sources, branch 6.3, commit 1321cadc). The
GKeyFile reader each key is parsed with (``g_key_file_get_<type>``) is from
``gstnvinfer_property_parser.cpp`` at the same commit, for the keys written here.

deepstream-app groups and keys: the ``!g_strcmp0(*key, ...)`` branches of ``parse_app``,
``parse_source``, ``parse_streammux``, ``parse_tiled_display``, ``parse_gie``, ``parse_osd``,
``parse_segvisual`` and ``parse_sink`` in ``sources/apps/apps-common/src/
deepstream_config_file_parser.c`` and ``sources/apps/sample_apps/deepstream-app/
deepstream_app_config_parser.c`` (same commit). Unknown keys make deepstream-app warn; unknown
groups are skipped silently, so ``[segvisual]`` (DeepStream 6.3 and later) does nothing on older
releases.
"""

__all__ = ["NVINFER_PROPERTY_KEYS", "NVINFER_KEY_TYPES", "DEEPSTREAM_APP_KEYS",
           "app_group_keys"]

#: every key of nvinfer's ``[property]`` group (``class-attrs-*`` groups not included)
NVINFER_PROPERTY_KEYS = frozenset("""
gie-unique-id process-mode interval labelfile-path gpu-id secondary-reinfer-interval
output-tensor-meta disable-output-host-copy auto-inc-mem max-gpu-mem-per enable-dla use-dla-core batch-size tensor-meta-pool-size network-mode
model-engine-file int8-calib-file workspace-size output-blob-names is-classifier network-type
force-implicit-batch-dim infer-dims output-io-formats layer-device-precision model-color-format
net-scale-factor offsets mean-file maintain-aspect-ratio symmetric-padding scaling-filter
scaling-compute-hw network-input-order input-tensor-from-meta custom-lib-path
parse-bbox-func-name parse-bbox-instance-mask-func-name engine-create-func-name
parse-classifier-func-name custom-network-config model-file proto-file uff-file uff-input-order
input-dims uff-input-dims uff-input-blob-name tlt-encoded-model tlt-model-key onnx-file
num-detected-classes enable-dbscan cluster-mode crop-objects-to-roi-boundary classifier-type classifier-threshold
classifier-async-mode segmentation-threshold segmentation-output-order output-instance-mask
input-object-min-width input-object-min-height input-object-max-width input-object-max-height
operate-on-gie-id operate-on-class-ids filter-out-class-ids
""".split())

#: the ``g_key_file_get_*`` reader nvinfer parses a key with (the keys ``deploy`` writes)
NVINFER_KEY_TYPES = {
    "gpu-id": "integer", "gie-unique-id": "integer", "process-mode": "integer",
    "interval": "integer", "batch-size": "integer", "network-mode": "integer",
    "network-type": "integer", "num-detected-classes": "integer",
    "model-color-format": "integer", "scaling-filter": "integer",
    "maintain-aspect-ratio": "boolean", "net-scale-factor": "double",
    "segmentation-threshold": "double", "offsets": "double_list", "infer-dims": "integer_list",
    "output-blob-names": "string_list", "onnx-file": "string", "model-engine-file": "string",
    "labelfile-path": "string", "int8-calib-file": "string",
}

_SINK = """enable type sync qos width height container codec enc-type bitrate profile
iframeinterval copy-meta output-io-mode sw-preset output-file source-id rtsp-port udp-port
udp-buffer-size color-range conn-id plane-id set-mode link-to-demux gpu-id nvbuf-memory-type"""

#: group (``source``/``sink`` stand for ``sourceN``/``sinkN``) -> the keys deepstream-app reads
DEEPSTREAM_APP_KEYS = {
    "application": frozenset("""enable-perf-measurement perf-measurement-interval-sec
        gie-kitti-output-dir kitti-track-output-dir reid-track-output-dir""".split()),
    "tiled-display": frozenset("""enable rows columns width height gpu-id nvbuf-memory-type
        compute-hw buffer-pool-size""".split()),
    "source": frozenset("""enable type uri num-sources gpu-id nvbuf-memory-type camera-width
        camera-height camera-fps-n camera-fps-d camera-csi-sensor-id camera-v4l2-dev-node
        latency intra-decode-enable low-latency-decode num-decode-surfaces num-extra-surfaces
        drop-frame-interval camera-id source-id select-rtp-protocol rtsp-reconnect-interval-sec
        rtsp-reconnect-attempts udp-buffer-size video-format alsa-device""".split()),
    "streammux": frozenset("""gpu-id batch-size width height live-source batched-push-timeout
        enable-padding nvbuf-memory-type buffer-pool-size attach-sys-ts-as-ntp config-file
        sync-inputs max-latency frame-num-reset-on-stream-reset frame-num-reset-on-eos
        frame-duration async-process drop-pipeline-eos num-surfaces-per-frame""".split()),
    "primary-gie": frozenset("""enable config-file batch-size gie-unique-id interval
        model-engine-file labelfile-path plugin-type gpu-id nvbuf-memory-type
        operate-on-gie-id operate-on-class-ids infer-raw-output-dir input-tensor-meta""".split()),
    "osd": frozenset("""enable gpu-id nvbuf-memory-type process-mode border-width text-size
        text-color text-bg-color font show-clock clock-x-offset clock-y-offset clock-text-size
        clock-color display-text display-bbox display-mask hw-blend-color-attr""".split()),
    "segvisual": frozenset("enable width height batch-size gpu-id nvbuf-memory-type".split()),
    "sink": frozenset(_SINK.split()),
    "tests": frozenset("file-loop pipeline-recreate-sec".split()),
}


def app_group_keys(group):
    """The keys deepstream-app reads in ``group`` (``source0`` -> the ``source`` keys), or
    None for a group it does not know."""
    for prefix in ("source", "sink"):
        if group.startswith(prefix) and group[len(prefix):].isdigit():
            return DEEPSTREAM_APP_KEYS[prefix]
    return DEEPSTREAM_APP_KEYS.get(group)
