"""GStreamer pipeline strings for OpenCV's ``CAP_GSTREAMER`` (pure functions) and a probe.

JetPack's OpenCV is built with GStreamer; that is how the CSI camera (``nvarguscamerasrc``) and
low-latency RTSP reach OpenCV on a Jetson. Every pipeline ends in an ``appsink`` that keeps only
the newest buffer, so a slow consumer sees fresh frames instead of a growing backlog.
"""

__all__ = ["csi_pipeline", "rtsp_pipeline", "opencv_has_gstreamer"]

_APPSINK = "appsink drop=true max-buffers=1 sync=false"


def csi_pipeline(sensor_id=0, width=1280, height=720, framerate=30, flip_method=0):
    """A Jetson CSI camera (Argus) delivering BGR frames of ``width`` x ``height``."""
    return (
        "nvarguscamerasrc sensor-id={sensor} ! "
        "video/x-raw(memory:NVMM), width=(int){w}, height=(int){h}, "
        "framerate=(fraction){fps}/1, format=(string)NV12 ! "
        "nvvidconv flip-method={flip} ! video/x-raw, format=(string)BGRx ! "
        "videoconvert ! video/x-raw, format=(string)BGR ! {sink}").format(
            sensor=int(sensor_id), w=int(width), h=int(height), fps=int(framerate),
            flip=int(flip_method), sink=_APPSINK)


def rtsp_pipeline(url, latency=200):
    """An RTSP stream with a ``latency`` ms jitter buffer, decoded by whatever decodebin picks
    (the hardware decoder on a Jetson), delivering BGR frames."""
    if any(c in url for c in ' !"'):
        raise ValueError("RTSP URL must not contain spaces, quotes or '!': {!r}".format(url))
    return ("rtspsrc location={url} latency={latency} ! decodebin ! videoconvert ! "
            "video/x-raw, format=(string)BGR ! {sink}").format(
                url=url, latency=int(latency), sink=_APPSINK)


def opencv_has_gstreamer():
    """True if this OpenCV was built with the GStreamer video I/O backend."""
    import cv2
    for line in cv2.getBuildInformation().splitlines():
        if line.strip().startswith("GStreamer:"):
            return line.split(":", 1)[1].strip().upper().startswith("YES")
    return False
